"""Cold start of the knowledge base: a new process, up to the first lookup result.

    python bench/kb_load.py
"""

import subprocess
import sys
import time

CODE = "from dyad.kb.loader import load_kb; kb = load_kb(); print(kb.holder('foreign_minister', 'RUS', " \
       "__import__('datetime').date(2023, 9, 19)))"

runs = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", CODE], check=True, capture_output=True)
    runs.append(time.perf_counter() - t)
print(f"cold start to first lookup (new process, 5 runs): best {min(runs):.2f} s, "
      f"median {sorted(runs)[2]:.2f} s")
