"""M1's worker: export one document as a PDF `count` times in a row and report peak memory.

Run as `python -m bench.pdf_worker DOCUMENT_PK USER_PK COUNT` (bench.figures does, in a fresh
interpreter, so the figure is one worker's memory and not the benchmark's); prints one JSON
line. PDFs render in children forked by uptake.pdf, so the peak is the larger of the worker's
own high-water mark and its largest child's."""

import json
import resource
import sys


def _self_peak_mb():
    # VmHWM: this process's peak resident set, in kB.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def export_many(document, user, count):
    from uptake.services.exports import document_export_pdf

    early_count = max(1, count // 10)
    early = None
    for n in range(1, count + 1):
        document_export_pdf(document=document, actor=user)
        if n == early_count:
            early = max(_self_peak_mb(), _children_peak_mb())
    self_mb, children_mb = _self_peak_mb(), _children_peak_mb()
    return {
        "early_count": early_count,
        "early_peak_mb": early,
        "self_mb": self_mb,
        "children_mb": children_mb,
        "peak_mb": max(self_mb, children_mb),
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
