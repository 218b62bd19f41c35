# The two commands of the README. Both create and use .venv/ in the project root.
.PHONY: run test lint messages

run:  ## install, migrate, load the demo, start web server + task worker (PORT, DATABASE_URL honoured)
	@scripts/run-demo.sh

test:  ## install dev dependencies and run every test against a throwaway PostgreSQL (or DATABASE_URL)
	@scripts/test.sh $(ARGS)

lint:
	@.venv/bin/ruff check .

messages:  ## refresh the translation catalogues after changing user-facing strings
	.venv/bin/python manage.py makemessages -l it --ignore=.venv --ignore=bench --ignore=tests
	.venv/bin/python manage.py compilemessages --ignore=.venv
