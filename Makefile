# Aliases for ./dev (which needs only bash on a fresh Debian machine).
.PHONY: run test bench
run:
	./dev run
test:
	./dev test
bench:
	./dev bench
