"""The upstream protocol conformance suite (jupyter_kernel_test) against the
kvalitet kernel: hello world, stderr, an error, execute results, display
data (HTML and SVG), completion, complete/incomplete/invalid code, inspect,
and the iopub welcome of JEP 65."""
import json
import unittest

import jupyter_kernel_test as jkt

from conftest import DEMO_DATA, FIXTURE

USE_FIXTURE = f"use_data({json.dumps(FIXTURE)});\n"


class KvalitetKernelTests(jkt.KernelTests):
    kernel_name = "kvalitet"
    language_name = "rhai"
    file_extension = ".rhai"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'debug("this goes to stderr")'

    completion_samples = [
        {"text": "propor", "matches": {"proportion"}},
        {"text": "within", "matches": {"within", "within_last"}},
        {"text": "use_d", "matches": {"use_data"}},
        {"text": "let antal_borgere = 1;\nantal_b", "matches": {"antal_borgere"}},
    ]

    complete_code_samples = ["1 + 2", "let x = 1;", "fn dobbelt(x) { x * 2 }", 'table("borgere")', 'if true {\n  1\n}']
    incomplete_code_samples = ["fn dobbelt(x) {", "let liste = [1, 2,", "if true {\n  let z = 1;", "(1 + 2"]
    invalid_code_samples = ["let = 5", "}", "1 + * 2"]

    code_generate_error = 'throw "kunne ikke"'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "6 * 7", "result": "42"},
        {"code": "let v = 10;\nv / 4", "result": "2"},
    ]

    code_display_data = [
        {"code": USE_FIXTURE + 'display(table("borgere").head(3))', "mime": "text/html"},
        {
            "code": f"use_data({json.dumps(DEMO_DATA)});\n"
            + 'let r = evaluate(rule("po.2a.revurderet-tilstand-6mdr"), "2025-01", "2025-06", "kommune");\n'
            + "display(run_chart(r))",
            "mime": "image/svg+xml",
        },
    ]

    code_inspect_sample = "proportion"


class KvalitetIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = "kvalitet"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
