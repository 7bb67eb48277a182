"""What runs the ``rapid`` engine's ONNX files: onnxruntime, or OpenVINO's CPU plugin.

Both give the engine (and the ``rapidocr-onnxruntime`` wheel's stages, which call the session it
hands them) the few methods of onnxruntime's ``InferenceSession`` they use: ``run``,
``get_inputs`` and ``get_outputs``. ``SessionMaker`` opens them on the runtime the options pick.

OpenVINO is optional (the ``openvino`` extra). At ``bf16``, on a CPU with bfloat16 arithmetic,
it runs the PP-OCRv4 detector on the benchmark's A4 pages in about half of onnxruntime's CPU time
and the recogniser in about 0.7 of it (``python -m bench ocr`` runs both in one run; the README
has the figures).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ocr.engines import EngineOptions, EngineUnavailable

RUNTIMES = ("onnxruntime", "openvino", "auto")
"""The values of ``EngineOptions.runtime``; ``auto``: OpenVINO where installed, else onnxruntime."""
PRECISIONS = ("f32", "bf16")
"""The values of ``EngineOptions.precision`` (OpenVINO's inference precision hint)."""


def openvino_installed() -> bool:
    """Whether the ``openvino`` package can be imported here."""
    return importlib.util.find_spec("openvino") is not None


def import_openvino() -> Any:
    """The ``openvino`` module, imported with its usage telemetry off.

    ``import openvino`` imports its model converter, which starts ``openvino-telemetry`` (a
    dependency of the wheel): with no consent file in the home directory it takes that for
    consent, writes a client id under ``~/intel`` and sends an event to Google Analytics from a
    thread of its own at every import. A terminal in a service hall sends nothing of the kind
    (and that thread outlived the app's stop in the e2e tests). With ``openvino_telemetry``
    unimportable the converter uses its own no-op stub; nothing else needs the package.
    """
    if "openvino" not in sys.modules:
        sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]
    import openvino

    return openvino


def chosen_runtime(options: EngineOptions, *, openvino: bool | None = None) -> str:
    """The runtime ``options`` asks for, ``auto`` resolved; a bad value is a ``ValueError``.

    ``openvino``: whether the package is there (default: look). ``EngineUnavailable`` when
    ``openvino`` is asked for by name and is not installed.
    """
    installed = openvino_installed() if openvino is None else openvino
    if options.runtime not in RUNTIMES:
        raise ValueError(f"unknown OCR runtime {options.runtime!r}; known: {', '.join(RUNTIMES)}")
    if options.precision not in PRECISIONS:
        raise ValueError(
            f"unknown OCR precision {options.precision!r}; known: {', '.join(PRECISIONS)}"
        )
    if options.runtime == "auto":
        return "openvino" if installed else "onnxruntime"
    if options.runtime == "openvino" and not installed:
        raise EngineUnavailable(
            "the openvino runtime needs the openvino package (pip install 'gov-kiosk[openvino]')"
        )
    return options.runtime


def onnxruntime_session(path: Path, *, threads: int) -> Any:
    """An onnxruntime session with options that suit a small shared terminal.

    Threads that spin while waiting for work burn the other core's time on a loaded 2-core
    box; one graph run at a time (sequential) with every graph optimisation on.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 4
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


@dataclass(frozen=True)
class NodeArg:
    """An input's or output's name, as onnxruntime's ``NodeArg`` gives it."""

    name: str


class OpenVinoSession:
    """One ONNX file compiled for OpenVINO's CPU plugin, called as an onnxruntime session is.

    One inference request, so one caller at a time (the engine gives each thread its own).
    """

    def __init__(self, core: Any, path: Path, *, threads: int, precision: str) -> None:
        """Compile ``path`` for ``threads`` CPU threads at ``precision`` (``f32``/``bf16``)."""
        model = core.read_model(str(path))
        config = {
            "INFERENCE_NUM_THREADS": threads,
            "NUM_STREAMS": 1,
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": precision,
            # Pinned threads fight the other programs of a shared 2-core terminal for their cores.
            "ENABLE_CPU_PINNING": False,
        }
        try:
            self._compiled = core.compile_model(model, "CPU", config)
        except RuntimeError as err:
            raise EngineUnavailable(f"OpenVINO cannot compile {path}: {err}") from err
        self._request = self._compiled.create_infer_request()
        self._inputs = [NodeArg(port.get_any_name()) for port in self._compiled.inputs]
        self._outputs = [NodeArg(port.get_any_name()) for port in self._compiled.outputs]

    def get_inputs(self) -> list[NodeArg]:
        """The model's inputs, in order."""
        return list(self._inputs)

    def get_outputs(self) -> list[NodeArg]:
        """The model's outputs, in order."""
        return list(self._outputs)

    def run(
        self, output_names: list[str] | None, feed: dict[str, npt.NDArray[np.float32]]
    ) -> list[npt.NDArray[np.float32]]:
        """The named outputs (all when ``None``) for the inputs in ``feed``, as new arrays."""
        inputs = {name: np.ascontiguousarray(value) for name, value in feed.items()}
        # share_outputs=False (the default) copies the results out of the request's buffers,
        # which the next run overwrites.
        result = self._request.infer(inputs, share_inputs=True)
        names = output_names or [arg.name for arg in self._outputs]
        return [np.asarray(result[self._compiled.output(name)]) for name in names]


@dataclass
class SessionMaker:
    """Opens the engine's sessions on the runtime its options chose."""

    runtime: str
    precision: str
    core: Any = None

    @classmethod
    def for_options(cls, options: EngineOptions) -> SessionMaker:
        """The maker for ``options`` (``chosen_runtime`` says which runtime)."""
        runtime = chosen_runtime(options)
        core = None
        if runtime == "openvino":
            core = import_openvino().Core()
        return cls(runtime, options.precision, core)

    def open(self, path: Path, *, threads: int) -> Any:
        """A session on ``path`` that runs on ``threads`` threads."""
        if self.runtime == "openvino":
            return OpenVinoSession(self.core, path, threads=threads, precision=self.precision)
        return onnxruntime_session(path, threads=threads)
