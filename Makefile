# The two commands of the README: `make demo` and `make test`. Each installs what it needs itself
# on a fresh Debian machine (as root; with sudo otherwise): system packages, a .venv, the project.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := $(VENV)/.stamps

# libzbar0: pyzbar; fonts: CJK text on screen (Noto) and in PDFs (WenQuanYi, TrueType outlines that
# reportlab can embed; DejaVu Sans sets the PDFs' Latin text); cups + cups-pdf: the real A4 queue in
# tests and the demo; cups-ipp-utils: ipptool tells a job's end (completed, aborted, cancelled);
# poppler-utils: PDF checks; postgresql: the throwaway clusters the hall's tests and the fleet
# benchmark start (tests/fixtures/pgcluster.py); the lib* lines are what Qt's offscreen platform
# and OpenCV load at run time; xvfb, xdotool, openbox, x11-utils and x11-xserver-utils: the
# lockdown proof on a real X server (tests/integration/test_lockdown_x11.py); gcc: the stand-in
# vendor WLT libraries the photo decoder's tests compile (tests/unit/devices/test_wlt_vendor.py).
APT_PACKAGES := libzbar0 fonts-noto-cjk fonts-wqy-microhei fonts-droid-fallback fonts-dejavu-core cups cups-client cups-bsd \
	cups-ipp-utils printer-driver-cups-pdf poppler-utils postgresql libgl1 libegl1 libglib2.0-0 libxkbcommon0 \
	libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-randr0 libxcb-xinerama0 \
	chromium \
	xvfb xdotool openbox x11-utils x11-xserver-utils \
	speech-dispatcher espeak-ng gcc

# rapidocr-onnxruntime (and paddleocr) pull a full OpenCV build whose cv2 points Qt at its own
# plugins, which breaks PySide6 in the same process: put the headless build (same cv2 API) back.
define HEADLESS_CV2
	@for p in opencv-python opencv-contrib-python; do \
		if $(BIN)/python -m pip show -q $$p >/dev/null 2>&1; then \
			$(BIN)/python -m pip uninstall -y -q $$p; swap=1; fi; \
	done; \
	if [ -n "$$swap" ]; then \
		v=$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("opencv-python-headless"))'); \
		$(BIN)/python -m pip install -q --force-reinstall --no-deps "opencv-python-headless==$$v"; \
	fi
endef

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck imports pytest bench clean system venv lock install bench-install

demo: venv translations
	$(BIN)/kiosk demo
	$(BIN)/kiosk-hall demo-screens demo-out/hall

test: venv lint typecheck imports pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

imports: venv
	$(BIN)/lint-imports

# Two workers (CI has two cores); tests of the one shared cups-pdf queue take turns through a
# file lock (tests/fixtures/printers.py: shared_cups). TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2

pytest: venv translations
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

bench: venv $(STAMPS)/bench
	$(BIN)/python -m bench

# Qt Linguist: the .ts files in kiosk/ui/i18n/ are the sources (in git; `tools/i18n_convert.py`
# updates them from the code), the .qm files the screens load (built here, git-ignored, packaged).
QM_FILES := $(patsubst %.ts,%.qm,$(wildcard kiosk/ui/i18n/*.ts))

.PHONY: translations
translations: $(QM_FILES)

kiosk/ui/i18n/%.qm: kiosk/ui/i18n/%.ts | $(STAMPS)/venv
	$(BIN)/pyside6-lrelease -silent $< -qm $@

# Only the benchmark needs these: the OCR benchmark's baseline (Tesseract with Simplified Chinese)
# and paddleocr on paddle CPU (the `paddle` extra, with PP-OCRv5 mobile models in a wheel).
BENCH_APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim debootstrap

$(STAMPS)/bench: pyproject.toml $(STAMPS)/venv
	@missing=""; for p in $(BENCH_APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	$(BIN)/python -m pip install -q -e '.[hall,dev,paddle,openvino]'
	$(HEADLESS_CV2)
	@mkdir -p $(STAMPS) && touch $@

system: $(STAMPS)/system

$(STAMPS)/system: Makefile
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(STAMPS) && touch $@

venv: $(STAMPS)/venv

$(STAMPS)/venv: pyproject.toml $(STAMPS)/system
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[hall,dev,openvino]'
	$(HEADLESS_CV2)
	@mkdir -p $(STAMPS) && touch $@

# The terminal's install (deploy/install.sh, as root): /opt/kiosk/releases/<version>, the kiosk
# user, udev rules, the A4 queue, the systemd units. `deploy/install.sh rollback` goes back.
install:
	$(SUDO) deploy/install.sh install

# Regenerate deploy/requirements.lock (hashes) after a change of pyproject.toml's dependencies.
lock: venv
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --unsafe-package opencv-python \
		--no-emit-index-url --no-emit-find-links --no-header --annotate --extra hall --extra openvino \
		--output-file deploy/requirements.lock pyproject.toml

# The install in a clean Debian 12 chroot (debootstrap; root; minutes): bench/install_chroot.sh.
bench-install:
	$(SUDO) bench/install_chroot.sh

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache kiosk/ui/i18n/*.qm
