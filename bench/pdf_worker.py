"""M1's worker: export one document as a PDF `count` times in a row and report peak memory.

Run as `python -m bench.pdf_worker DOCUMENT_PK USER_PK COUNT` (bench.figures does, in a fresh
interpreter, so the figure is one worker's memory and not the benchmark's); prints one JSON
line. PDFs render in a render process forked by uptake.render_processes
(replaced every _RENDERS_PER_PROCESS renders), so the peak is the worker's own high-water mark plus
its render process's: the sum overstates a little, as the pages the two still share count
twice."""

import json
import sys


def _peak_mb(status_path="/proc/self/status"):
    # VmHWM: the process's peak resident set, in kB.
    with open(status_path) as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _render_peak_mb():
    """The largest peak of this worker's idle render processes (after an export, its one)."""
    from uptake.render_processes import render_process_ids

    return max((_peak_mb(f"/proc/{pid}/status") for pid in render_process_ids()), default=0.0)


def export_many(document, user, count):
    from uptake.services.exports import document_export_pdf

    early_count = max(1, count // 10)
    early = None
    render_mb = 0.0
    for n in range(1, count + 1):
        document_export_pdf(document=document, actor=user)
        render_mb = max(render_mb, _render_peak_mb())
        if n == early_count:
            early = _peak_mb() + render_mb
    self_mb = _peak_mb()
    return {
        "early_count": early_count,
        "early_peak_mb": early,
        "self_mb": self_mb,
        "render_mb": render_mb,
        "peak_mb": self_mb + render_mb,
    }


def main(document_pk, user_pk, count):
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from uptake.models import Document

    document = Document.objects.get(pk=document_pk)
    user = get_user_model().objects.get(pk=user_pk)
    print(json.dumps(export_many(document, user, count)))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
