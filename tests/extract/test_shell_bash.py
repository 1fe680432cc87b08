"""The shell front end against real bash: the words a launcher receives, budgets, errors.

Ground truth comes from bash itself: each script runs with the launchers (``trl``,
``python``, ``swift``, ...) replaced by shell functions that print their arguments, and the
words lora-lint reads must be exactly those. Scripts only assign variables and call the stubs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest

from lora_lint.extract.shell import commands, extract_shell
from lora_lint.extract.shell.expansion import Expander
from lora_lint.extract.shell.lexing import Command, parse
from lora_lint.extract.types import Located, Unresolved
from tests.extract.tool_helpers import spans

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="bash is not installed")
LAUNCHERS = ("trl", "swift", "python", "python3", "accelerate", "torchrun", "deepspeed")
STUBS = "".join(
    f"{name}() {{ printf '%s\\0' {name} \"$@\"; printf '\\1'; }}\n"
    for name in (*LAUNCHERS, "llamafactory-cli")
)
MODEL = "--model_name_or_path Qwen/Qwen2.5-0.5B --use_peft"


def bash_argv(script: str, cwd: Path | None = None) -> list[list[str]]:
    """The argument vectors bash passes to the launcher stubs."""
    assert BASH is not None
    done = subprocess.run(
        [BASH, "-c", STUBS + script],
        capture_output=True,
        timeout=30,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        cwd=cwd,
        check=False,
    )
    records = done.stdout.decode("utf-8", "surrogateescape").split("\1")[:-1]
    return [record.split("\0")[:-1] for record in records]


def our_argv(script: str) -> list[list[str] | None]:
    """The argument vectors lora-lint reads (None: a word it cannot know statically)."""
    expander = Expander()
    out: list[list[str] | None] = []
    for step in parse(script).steps:
        if not isinstance(step, Command):
            expander.follow(step)
        else:
            fields = [f for word in step.words for f in expander.fields(word)]
            values = [f.value for f in fields]
            if values and values[0] in (*LAUNCHERS, "llamafactory-cli"):
                out.append(None if any(f.unknown for f in fields) else values)
    return out


AGREES_WITH_BASH = {
    "command substitution with a quoted paren": 'X=$(echo "a)b")\ntrl sft --x q_proj v_proj\n',
    "quoted default in an unquoted expansion is one word": (
        'T=\ntrl sft --x ${T:-"q_proj v_prj"} k_proj\n'
    ),
    "unquoted default splits": "T=\ntrl sft --x ${T:-q_proj v_prj} k_proj\n",
    "ANSI-C quoting": "trl sft --x $'q_proj' $'q\\x5fproj' $'a\\tb' $'\\'' k\n",
    "field splitting and quotes": 'A="x  y"\ntrl sft --x $A "$A" "$A"z ${A}w\n',
    "leading and trailing blanks": 'A=" lead  trail "\ntrl sft --x $A end\n',
    "default operators": (
        "U=\nS=set\ntrl sft --x ${U-unset} ${U:-empty} ${V-unset} ${U:+alt} ${V+alt} "
        "${S:+alt} ${S:-no} end\n"
    ),
    "mixed quoting in one word": 'trl sft --x a"b c"d \'e f\'g "" end\n',
    "empty words": 'E=\ntrl sft --x $E "$E" ${E:-""} ${E:-} end\n',
    "assigning default": "trl sft --x ${T:=q_proj} $T\n",
    "unset": "A=q_proj\nunset A\ntrl sft --x ${A:-gone}\n",
    "append": "A=q\nA+=_proj\ntrl sft --x $A\n",
    "assignment does not split": 'B="v_proj  k_proj"\nA="q_proj $B"\nC=$B\ntrl sft --x $A "$C"\n',
    "assignments alone on a line": "A=1 B=2\ntrl sft --x $A$B\n",
    "continuation inside a word": "trl sft --x q_proj,\\\nv_proj end\n",
    "escapes": 'trl sft --x "a\\"b" "a\\$b" "a\\qb" a\\ b\n',
    "newline in quotes": 'trl sft --x "line1\nline2" end\n',
    "blanks before $ in quotes": 'X=a\ntrl sft --x "  $X" " $X $X "\n',
    "defaults in and out of quotes": (
        'T="a b"\ntrl sft --x "${T:-z}" ${T:-"q v"} "${U:-a  "b c"}" ${U:-a  "b c"  d}\n'
    ),
    "single quotes in a double-quoted default": (
        "trl sft --x \"${X:-'a b'}\" \"${X:-$'a\\tb'}\" ${X:-'c d'}\n"
    ),
    "words after a redirection": "trl sft --x a 2>/dev/null --y b\n",
    "prefix assignment is not kept": "A=1 trl sft --x ${A:-d}\n",
    "compound commands": (
        "if true; then\n  trl sft --x a\nfi\nf() { :; }\ntrl sft --x b | cat\n"
        "case x in x) swift sft --target_modules c ;; esac\n"
    ),
    "export and local": 'export A="q_proj v_proj" B=k\ntrl sft --x $A $B\n',
    "heredoc bodies are not commands": (
        "cat > /dev/null <<'EOF'\ntrl sft --x no\nEOF\ntrl sft --x yes\n"
    ),
    "comments": "# trl sft --x no\ntrl sft --x yes # trl sft --x no\n",
    "escaped blanks as words": "trl sft --x a\\ b \\  c \\ \ntrl sft --y z\n",
    "translated string": 'X=v\ntrl sft --x $"q_proj $X"\n',
}


@needs_bash
@pytest.mark.parametrize("script", AGREES_WITH_BASH.values(), ids=AGREES_WITH_BASH.keys())
def test_words_are_the_ones_bash_passes(script: str) -> None:
    assert our_argv(script) == bash_argv(script)


def _config(script: str) -> Located:
    result = extract_shell(script, "s.sh")
    assert result.findings == []
    [config] = result.configs
    return config


# -- the cases of the issue -------------------------------------------------------------------


def test_command_substitution_with_paren_keeps_the_next_command() -> None:
    script = f'X=$(echo "a)b")\ntrl sft {MODEL} --lora_target_modules q_proj v_prj\n'
    config = _config(script)
    assert spans(config.target_modules) == [
        ("q_proj", (2, 81, 2, 87)),
        ("v_prj", (2, 88, 2, 93)),
    ]


@needs_bash
def test_quoted_default_is_one_word_as_in_bash() -> None:
    script = f'T=\ntrl sft {MODEL} --lora_target_modules ${{T:-"q_proj v_prj"}} k_proj\n'
    config = _config(script)
    assert config.option("target_modules") == ["q_proj v_prj", "k_proj"]
    [argv] = bash_argv(script)
    assert argv[argv.index("--lora_target_modules") + 1 :] == ["q_proj v_prj", "k_proj"]
    # the value is written between the quotes of the default
    assert spans(config.target_modules)[0] == ("q_proj v_prj", (2, 87, 2, 99))


def test_ansi_c_quoting() -> None:
    config = _config(f"trl sft {MODEL} --lora_target_modules $'q_proj' $'v\\x5fproj'\n")
    assert config.option("target_modules") == ["q_proj", "v_proj"]
    [first, second] = spans(config.target_modules)
    assert first == ("q_proj", (1, 83, 1, 89))  # the characters between the quotes
    assert second[1][:2] == (1, 91)


def test_expansion_budget_ends_fast_with_an_unresolved_value() -> None:
    script = (
        "A=q_proj\n" + 'A="$A $A"\n' * 40 + f"trl sft {MODEL} --lora_target_modules $A k_proj\n"
    )
    tracemalloc.start()
    started = time.monotonic()
    result = extract_shell(script, "s.sh")
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 50_000_000
    [config] = result.configs
    [unresolved] = config.unresolved
    assert isinstance(unresolved, Unresolved)
    assert (unresolved.span.line, unresolved.span.column) == (42, 81)
    assert "$A" in unresolved.reason


def test_work_budget_over_many_lines() -> None:
    """Each line stays under the size limit; the whole file runs out of work instead."""
    script = "A=" + "q" * 15_000 + "\n" + 'B="$A"\n' * 200 + f"trl sft {MODEL} --x $B\n"
    started = time.monotonic()
    result = extract_shell(script, "s.sh")
    assert time.monotonic() - started < 3.0
    expander = Expander(max_work=1_000)
    expander.assign("A", parse("A=" + "q" * 600 + "\n").steps[0].value)  # type: ignore[union-attr]
    expander.assign("B", parse('B="$A"\n').steps[0].value)  # type: ignore[union-attr]
    assert isinstance(expander.variables["B"], str) and "budget" in expander.variables["B"]
    assert result.findings == []


@needs_bash
def test_unterminated_quote_is_ll000_at_the_quote() -> None:
    script = (
        "MODEL=Qwen/Qwen2.5-0.5B\n"
        f"trl sft {MODEL} --lora_target_modules q_proj v_proj\n"
        f'trl sft {MODEL} --lora_target_modules "q_proj \\\n'
        "  --lora_r 8\n"
    )
    result = extract_shell(script, "launch.sh")
    [finding] = result.findings
    assert finding.code == "LL000"
    assert finding.path == "launch.sh"
    assert (finding.span.line, finding.span.column) == (3, 81)
    # bash runs the complete command before it, then stops
    assert len(result.configs) == 1
    assert BASH is not None
    checked = subprocess.run([BASH, "-n", "-c", script], check=False, capture_output=True)
    assert checked.returncode != 0


@pytest.mark.parametrize(
    ("script", "where"),
    [
        ("trl sft --x 'q_proj\n", (1, 13)),
        ("A=1\ntrl sft --x $'q_proj\n", (2, 13)),
        ('X=$(echo "a\ntrl sft --x q\n', (1, 10)),
        ("cat <<EOF\nit's\nEOF\ntrl sft --x `q\n", (4, 13)),
    ],
)
def test_unterminated_quotes_of_every_kind(script: str, where: tuple[int, int]) -> None:
    [finding] = extract_shell(script, "s.sh").findings
    assert finding.code == "LL000"
    assert (finding.span.line, finding.span.column) == where


def test_other_syntax_error_is_ll000() -> None:
    script = f"if true; then\n  trl sft {MODEL} --lora_target_modules q_proj v_proj\n"
    result = extract_shell(script, "s.sh")
    [finding] = result.findings
    assert finding.code == "LL000"
    assert result.configs == []


def test_crlf_launcher_with_continuations() -> None:
    script = (
        "A=q_proj\r\n"
        "trl sft --model_name_or_path Qwen/Qwen2.5-0.5B \\\r\n"
        "  --use_peft \\\r\n"
        '  --lora_target_modules $A "v_proj" k_pr\\\r\noj\r\n'
    )
    config = _config(script)
    assert config.option("target_modules") == ["q_proj", "v_proj", "k_proj"]
    assert spans(config.target_modules)[:2] == [
        ("q_proj", (1, 3, 1, 9)),
        ("v_proj", (4, 29, 4, 35)),
    ]
    assert config.model is not None and config.model.name == "Qwen/Qwen2.5-0.5B"


def test_line_break_in_quotes_gives_multi_line_spans() -> None:
    script = (
        "llamafactory-cli train --model_name_or_path Qwen/Qwen2.5-0.5B "
        '--finetuning_type lora --lora_target "q_proj,\n'
        '   v_prj, o_proj"\n'
    )
    config = _config(script)
    assert spans(config.target_modules) == [
        ("q_proj", (1, 101, 1, 107)),
        ("v_prj", (2, 4, 2, 9)),
        ("o_proj", (2, 11, 2, 17)),
    ]
    target = config.target_modules
    assert isinstance(target, Located)
    assert (target.span.line, target.span.end_line) == (1, 2)


def test_newline_in_a_variable_splits_into_words_on_their_lines() -> None:
    script = f'T="q_proj\n  v_prj"\ntrl sft {MODEL} --lora_target_modules $T\n'
    config = _config(script)
    assert spans(config.target_modules) == [
        ("q_proj", (1, 4, 1, 10)),
        ("v_prj", (2, 3, 2, 8)),
    ]


# -- what is not known statically -------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("{q,v}_proj", "brace expansion"),
        ("$1", "$1"),
        ("${X#a}", "${X#a}"),
        ("$(cat targets.txt)", "$(cat targets.txt)"),
        ("$ARR", "array"),
        ("$M", "loop"),
    ],
)
def test_run_time_values_are_unresolved(words: str, reason: str) -> None:
    script = (
        "ARR=(q_proj v_proj)\nfor M in q_proj; do :; done\n"
        f"trl sft {MODEL} --lora_target_modules {words} k_proj\n"
    )
    config = _config(script)
    [unresolved] = config.unresolved
    assert isinstance(unresolved, Unresolved)
    assert reason in unresolved.reason
    assert unresolved.span.line == 3


def test_deep_nesting_is_ll000_or_read_never_a_crash() -> None:
    script = "X=" + "$(" * 3000 + "a" + ")" * 3000 + f"\ntrl sft {MODEL} --x q\n"
    result = extract_shell(script, "s.sh")
    assert all(f.code == "LL000" for f in result.findings)


def test_non_ascii_offsets() -> None:
    script = (
        '# é 模型\nT="é,q_proj"\nllamafactory-cli train --model_name_or_path Qwen/Qwen2.5-0.5B '
        "--finetuning_type lora --lora_target $T\n"
    )
    config = _config(script)
    assert spans(config.target_modules) == [("é", (2, 4, 2, 5)), ("q_proj", (2, 6, 2, 12))]


def test_commands_lists_simple_commands() -> None:
    script = "A=1 B=2\npython a.py --x 1 | tee log && echo done\n"
    assert commands(script) == [["python", "a.py", "--x", "1"], ["tee", "log"], ["echo", "done"]]


# -- a corpus of realistic launchers ----------------------------------------------------------

CORPUS = Path(__file__).resolve().parent.parent / "data" / "shell" / "corpus"
#: file -> per config: (tool, target_modules as read, model)
EXPECTED: dict[str, list[tuple[str, object, str]]] = {
    "trl_accelerate_peft.sh": [
        ("trl", ["q_proj", "k_proj", "v_proj", "o_proj", "gate_prj"], "Qwen/Qwen2.5-0.5B")
    ],
    # the first command ends at "\ " + newline, before its LoRA flags (as in bash)
    "peft_torchrun_sft.sh": [
        (
            "trl",
            ["q_proj,k_proj,v_proj,o_proj,down_proj,up_proj,gate_proj"],
            "mistralai/Mistral-7B-v0.1",
        )
    ],
    "swift_sft_lora.sh": [
        ("ms-swift", "all-linear", "Qwen/Qwen2.5-7B-Instruct"),
        ("ms-swift", ["q_proj", "k_proj", "v_prj"], "Qwen/Qwen2.5-7B-Instruct"),
    ],
    "llamafactory_yaml_only.sh": [],
    "deepspeed_llamafactory_flags.sh": [
        ("llama-factory", ["q_proj", "v_proj", "o_prj"], "meta-llama/Llama-2-7b-hf"),
        ("llama-factory", ["q_proj", "v_proj"], "meta-llama/Llama-2-7b-hf"),
    ],
    "sweep_with_heredoc.sh": [("llama-factory", ["q_proj", "v_proj"], "Qwen/Qwen2.5-0.5B")],
    "torchrun_module_multinode.sh": [("trl", ["q_proj", "v_proj"], "meta-llama/Llama-3.2-1B")],
}


def _read(name: str, crlf: bool) -> str:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return text.replace("\n", "\r\n") if crlf else text


def test_corpus_is_complete() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.sh")) == sorted(EXPECTED)


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_configs(name: str, crlf: bool) -> None:
    result = extract_shell(_read(name, crlf), name)
    assert result.findings == []
    got = [
        (c.source, c.option("target_modules"), c.model.name if c.model else None)
        for c in result.configs
    ]
    assert got == EXPECTED[name]
    if crlf:  # the same values at the same lines and columns
        plain = extract_shell(_read(name, False), name)
        for config, lf_config in zip(result.configs, plain.configs, strict=True):
            assert spans(config.target_modules) == spans(lf_config.target_modules)


@needs_bash
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_words_match_bash(name: str, tmp_path: Path) -> None:
    """Every launcher line lora-lint reads gets the words bash passes (loops run more often)."""
    script = _read(name, crlf=False)
    ours = our_argv(script)
    real = bash_argv(script, cwd=tmp_path)
    assert ours, "no launcher read"
    known = [argv for argv in ours if argv is not None]
    assert all(argv in real for argv in known)
    if "for " not in script:
        assert len(ours) == len(real)


@pytest.mark.parametrize(
    ("before", "reason"),
    [
        ('if [ "$1" = a ]; then T=q_proj; else T=v_proj; fi', "if statement"),
        ("T=q_proj\ncase $1 in a) T=v_proj ;; esac", "case statement"),
        ('[ -z "$T" ] && T=q_proj', "list"),
        ("T=q_proj\n( T=v_proj )", "subshell"),
        ("T=q_proj\nwhile false; do T=v_proj; done", "loop"),
        ("T=q_proj\nsetup() { T=v_proj; }", "function"),
        ("read -r T < targets.txt", "read"),
        ("T=q_proj\nsource ./env.sh", "source"),
        (". ./env.sh", "source"),
    ],
)
def test_values_that_depend_on_the_run_are_unresolved(before: str, reason: str) -> None:
    script = f"{before}\ntrl sft {MODEL} --lora_target_modules $T k_proj\n"
    config = _config(script)
    [unresolved] = config.unresolved
    assert isinstance(unresolved, Unresolved)
    assert reason in unresolved.reason or (reason == "source" and "`.`" in unresolved.reason)


@pytest.mark.parametrize(
    "script",
    [
        f"if true; then\n  T=q_proj\n  trl sft {MODEL} --lora_target_modules $T k_proj\nfi\n",
        f"source ./env.sh\nT=q_proj\ntrl sft {MODEL} --lora_target_modules $T k_proj\n",
        f"for M in a b; do :; done\nT=q_proj\ntrl sft {MODEL} --lora_target_modules $T k_proj\n",
    ],
)
def test_values_set_on_every_path_are_known(script: str) -> None:
    assert _config(script).option("target_modules") == ["q_proj", "k_proj"]


#: Valid bash (``bash -n`` accepts each) that tree-sitter-bash must not turn into LL000.
VALID_BASH = [
    'echo "$(( 1 + 2 ))" $((3*4))',
    'A=(a b c); echo "${A[@]}" "${#A[@]}" "${A[0]}"',
    'declare -A M=([k]=v [x]=y); echo "${M[k]}"',
    "echo ${X/#a/b} ${X%%.*} ${X^^} ${!X} ${X@Q}",
    'case "$1" in\n  -h|--help) exit 0 ;;\n  *) : ;;\nesac',
    'while IFS= read -r line; do echo "$line"; done < <(ls)',
    'cat <<EOF\n$(date) it\'s "quoted" `x`\nEOF',
    "cat <<-'EOF'\n\tliteral $x\n\tEOF",
    'python - <<PY\nprint("hi")\nPY\necho done',
    'f() {\n  local a="$1"; shift\n  return 0\n}',
    "function g { echo hi; }",
    "[[ -f x && ! -d y || $a =~ ^v[0-9]+$ ]] && echo ok",
    'if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then echo "$CUDA_VISIBLE_DEVICES"; fi',
    "for ((i=0; i<3; i++)); do echo $i; done",
    "select x in a b; do break; done",
    "echo a |& cat",
    "exec > >(tee log) 2>&1",
    "trap 'echo bye' EXIT",
    'set -x; export PYTHONPATH="${PYTHONPATH}:$(pwd)"',
    'echo "${arr[@]:1:2}" "${@:2}" "$#" "$?" "$$" "$!"',
    "x=$(cat <<EOF\nhi\nEOF\n)",
    "echo $'a\\nb' $\"tr\"",
    'printf "%s\\n" "a" \\\n  "b"',
    "until false; do break; done",
    "coproc cat",
    "echo {1..3} {a,b}c",
    "A+=(x)",
    "let i=i+1",
    "echo ~ ~/x ~root",
    'eval "echo \\$HOME"',
    'time python -c "print(1)"',
    "nohup python train.py > out.log 2>&1 &\nwait",
    'echo "a" # comment with \' quote',
    "echo 'it''s'",
    'echo "nested $(echo "inner $(echo deep)")"',
    "echo `echo \\`date\\``",
    "python train.py --x \"$(printf '%s,' q k v)\"",
    "read -r -d '' VAR <<'EOF' || true\nline\nEOF",
    "if true\nthen\n  echo\nelif false; then :\nelse :\nfi",
    "echo ${X:-${Y:-z}}",
    'echo "${X:-"a b"}" ${X:-\'c d\'}',
    "{ echo a; echo b; } > f",
    "(cd /tmp && ls)",
    "A=1; [ $A -eq 1 ] || exit 1",
    "echo a\\\nb",
    "mapfile -t L < f",
    'echo "#notacomment" a#b',
    'test -z "$X" && X=1 ; echo $X',
    "ls *.py ?.sh [ab].txt",
    "echo $((16#ff)) $(( (1+2) * 3 ))",
    'arr=( "a b" c ); for x in "${arr[@]}"; do echo "$x"; done',
    'echo -e "\\t"',
    "! grep -q x f",
    "declare -r C=1; readonly D=2; typeset E=3",
    "echo $(( $(echo 1) + 2 ))",
    'cat << "EOF" | grep x\na\nEOF',
    "A=$(( 2 ** 3 ))",
    "source ./.env 2>/dev/null || true",
    'echo "${X//\\//_}"',
    "case $x in (a) echo;; esac",
    'echo "a\nb"',
    "x=${x:=5}",
    "echo ${#x}",
    "export {A,B}=1 2>/dev/null || true",
    'echo "$@" "${@}" $* "${*}"',
    "echo \\$notvar",
    '[[ "$x" == *.py ]]',
    "echo $[1+1]",
    'echo "a" >| f',
    "cmd 3>&1 1>&2 2>&3",
    'cat <<< "here string $x"',
]


@needs_bash
@pytest.mark.parametrize("snippet", VALID_BASH)
def test_valid_bash_is_read_without_ll000(snippet: str) -> None:
    script = f"{snippet}\ntrl sft {MODEL} --lora_target_modules q_proj k_proj\n"
    assert BASH is not None
    assert subprocess.run([BASH, "-n", "-c", script], check=False).returncode == 0
    result = extract_shell(script, "s.sh")
    assert result.findings == []
    assert [c.option("target_modules") for c in result.configs][-1:] == [["q_proj", "k_proj"]]


def test_trailing_backslash_at_the_end_of_the_file_is_no_ll000() -> None:
    """bash runs it (the continuation joins an empty line); tree-sitter-bash refuses it."""
    script = f"trl sft {MODEL} --use_peft \\\n    --lora_target_modules q_proj v_proj \\\n"
    result = extract_shell(script, "s.sh")
    assert result.findings == []
