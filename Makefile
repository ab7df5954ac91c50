# Patron: `make run` serves a demo on http://127.0.0.1:8000, `make test` runs the suite.
SHELL := /bin/sh
export UV_PYTHON_DOWNLOADS := never
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
RUN := $(UV) run --frozen --no-sync

.PHONY: install run test lint format clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python "$$(scripts/find-python)"
	touch $@

install: .venv/.synced

# `make run` keeps PATRON_TASKS=immediate (tasks run in the request: one process to stop);
# production sets PATRON_TASKS=db and runs `patron worker` beside gunicorn.
run: install
	$(RUN) patron migrate --no-input
	$(RUN) patron collectstatic --no-input --verbosity 0
	$(RUN) patron demo --url http://$(HOST):$(PORT)/
	$(RUN) gunicorn patron.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

test: install
	$(RUN) pytest $(PYTEST_ARGS)

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) patron makemigrations --check --dry-run

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

clean:
	rm -rf .venv .tools staticfiles
