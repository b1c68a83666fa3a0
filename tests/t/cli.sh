# The command line: help, version, unknown commands, exit codes.
. "$(dirname "$0")/../lib.sh"

test_help_lists_commands_and_exit_codes() {
	expect_ok "$TCZ" --help
	expect_grep '^Usage: tcz COMMAND' "$T/out"
	expect_grep '^  3  a check or verification found a problem' "$T/out"
}

test_unknown_command_is_a_usage_error() {
	expect_status 2 "$TCZ" frobnicate
	expect_grep "'frobnicate' is not a command" "$T/err"
}

test_no_arguments_is_a_usage_error() {
	expect_status 2 "$TCZ"
	expect_grep '^Usage:' "$T/err"
}

test_every_command_has_help() {
	local cmd
	expect_ok "$TCZ" --help
	for cmd in $(awk '/^Commands:/{on=1;next} /^$/{on=0} on{print $1}' "$T/out"); do
		expect_ok "$TCZ" "$cmd" --help
		expect_grep "^Usage: tcz $cmd" "$T/out"
	done
}

run_tests
