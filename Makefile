# The two commands of the README. Both create and use .venv/ in the project root.
.PHONY: run test lint messages fleet

run:  ## install, migrate, load the demo, start web server + task worker (PORT, DATABASE_URL honoured)
	@scripts/run-demo.sh

test:  ## install dev dependencies and run every test against a throwaway PostgreSQL (or DATABASE_URL)
	@scripts/test.sh $(ARGS)

fleet:  ## the production shape on this machine: HAProxy, 2 web nodes, 2 workers, primary + replica, Redis
	@scripts/fleet.sh

lint:
	@.venv/bin/ruff check .

messages:  ## refresh the translation catalogues after changing user-facing strings
	.venv/bin/python manage.py makemessages -l it --ignore=.venv --ignore=bench --ignore=tests
	.venv/bin/python manage.py compilemessages --ignore=.venv
