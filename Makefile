# Thin targets over scripts/. See README.md.
.PHONY: up test down status bench

up:
	@bash scripts/up.sh

test:
	@bash scripts/test.sh

down:
	@bash scripts/services.sh stop

status:
	@bash scripts/services.sh status
