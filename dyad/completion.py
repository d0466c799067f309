"""Shell completion scripts, written from the command line's own argparse parser.

``completion_script(parser, "bash")`` returns a bash function that completes
subcommands (nested ones too: ``kb lookup``), their options, and the values of
options with fixed choices (``--format``); values of other options and
positional arguments fall back to the shell's file names. zsh loads the same
function through its bash compatibility layer. The script is plain data made
from the parser, so a new option completes without touching this module.
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh")


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """A script that, sourced by ``shell``, completes the commands of ``parser``."""
    if shell not in SHELLS:
        raise ValueError(f"unknown shell {shell!r}; choose one of {', '.join(SHELLS)}")
    prog = parser.prog
    levels = dict(_levels(parser, ""))
    function = "_" + "".join(c if c.isalnum() else "_" for c in prog)
    steps = [f'"{path.rpartition(" ")[0] if " " in path else ""}|{path.rpartition(" ")[2]}"'
             for path in levels if path]
    values = []
    words = []
    for path, p in levels.items():
        for action in p._actions:
            if action.option_strings and action.nargs != 0 and action.choices:
                for option in action.option_strings:
                    values.append(f'        "{path}|{option}") COMPREPLY=($(compgen -W "{_words(action.choices)}" '
                                  f'-- "$cur")); return ;;')
        takes_value = [o for a in p._actions if a.option_strings and a.nargs != 0 and not a.choices
                       for o in a.option_strings]
        if takes_value:  # a file name, a date, a number: the shell's own completion
            patterns = "|".join(f'"{path}|{o}"' for o in takes_value)
            values.append(f"        {patterns}) return ;;")
        options = [o for a in p._actions for o in a.option_strings]
        # what may come next without a dash: a subcommand, or a positional argument's choices
        commands = [str(c) for a in p._actions if not a.option_strings and a.choices for c in a.choices]
        words.append(f'        "{path}") options="{" ".join(options)}"; commands="{" ".join(commands)}" ;;')
    lines = [
        f"# {shell} completion for {prog}: add this line to your ~/.{shell}rc",
        f"#   source <({prog} completion {shell})",
        *(["autoload -U +X bashcompinit && bashcompinit"] if shell == "zsh" else []),
        f"{function}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" options commands i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "$path|${COMP_WORDS[i]}" in',
        f'            {"|".join(steps)}) path="${{path:+$path }}${{COMP_WORDS[i]}}" ;;',
        "        esac",
        "    done",
        '    case "$path|$prev" in',
        *values,
        "    esac",
        '    case "$path" in',
        *words,
        "    esac",
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$options" -- "$cur"))',
        '    elif [[ -n "$commands" ]]; then',
        '        COMPREPLY=($(compgen -W "$commands" -- "$cur"))',
        "    fi",
        "}",
        f"complete -o default -F {function} {prog}",
    ]
    return "\n".join(lines) + "\n"


def _levels(parser: argparse.ArgumentParser, path: str):
    """Each (sub)command's path ("", "export", "kb lookup") with its parser."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _levels(sub, f"{path} {name}".strip())


def _words(choices) -> str:
    return " ".join(str(c) for c in choices)


__all__ = ["SHELLS", "completion_script"]
