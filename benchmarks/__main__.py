"""`python -m benchmarks [--quick] [--json PATH] [--only SECTIONS]`: the table on stdout, progress on stderr."""

import os

# One BLAS thread, as the server should run (docs/benchmarks.md): the matrices here are small, and a
# multi-threaded BLAS collapses when both cores are busy. Only effective before NumPy is first imported,
# hence here, before anything else. An explicit setting in the environment wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from benchmarks.run import main  # noqa: E402

raise SystemExit(main())
