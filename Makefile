# wcc-analysis — the README's commands. Needs only Python 3.11+ and pip.
#   make pack   create .venv, install, build the evidence pack for every service
#   make test   create .venv if needed, run the whole test suite
#   make lab    open the notebooks in JupyterLab with the project's kernel (adds --allow-root as root)
#   make bench  the side-by-side benchmark of the full pack; make bench-sector EXECUTOR=dask the all-districts run
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COUNCIL ?= E07000237
JOBS   ?=
RUN_ARGS ?=
EXECUTOR ?= process

.PHONY: pack test lab venv bench bench-sector clean-reports

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

pack: $(STAMP)
	$(BIN)/wcc-analysis run --council $(COUNCIL) $(if $(JOBS),--jobs $(JOBS)) $(RUN_ARGS)
	$(BIN)/wcc-analysis pack reports/latest

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

bench-sector: $(STAMP)
	$(BIN)/python benchmarks/sector.py --executor $(EXECUTOR) $(if $(JOBS),--jobs $(JOBS))
