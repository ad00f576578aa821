// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The whole command line: netnsctl's own main() (src/cli/main.c compiled
 * with main renamed, see fuzz.cmake) on an argv made from the input, in a
 * process without capabilities and with the run, state and etc dirs pointed
 * at an empty scratch directory that is also the working directory.
 *
 * Input: NUL-separated arguments.  A first byte below the number of commands
 * picks that command's name (so every command is reached at once); any other
 * first byte starts the command word itself.
 *
 * Checks: the exit status is 0, 1 or 2; a failure writes exactly one line,
 * "netnsctl: ...", with no control or non-ASCII bytes (user values go
 * through nn_show()); a success writes nothing on stderr and is only help,
 * version or list-clients (nothing else may succeed without CAP_NET_ADMIN);
 * and nothing was created in the scratch directory: every command fails
 * before touching anything.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "fuzz.h"
#include "cli.h"

int netnsctl_cli_main(int argc, char **argv);

#define MAX_ARGS 24

static char scratch[] = "/tmp/netnsctl-fuzz-cli.XXXXXX";
static bool ready;

static size_t n_commands(void)
{
	size_t n = 0;

	while (nn_commands[n].name)
		n++;
	return n;
}

static void remove_scratch(void)
{
	rmdir(scratch);
}

static void setup(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	char path[sizeof(scratch) + 16];

	if (!mkdtemp(scratch))
		abort();
	atexit(remove_scratch);
	snprintf(path, sizeof(path), "%s/run", scratch);
	setenv("NETNSCTL_RUN_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/state", scratch);
	setenv("NETNSCTL_STATE_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/etc", scratch);
	setenv("NETNSCTL_ETC_DIR", path, 1);
	/* A FILE argument without "/" names nothing. */
	if (chdir(scratch) < 0)
		abort();
	/* No effective capabilities: as root, the harness must not reach the kernel. */
	if (syscall(SYS_capget, &hdr, data) < 0)
		abort();
	data[0].effective = data[1].effective = 0;
	if (syscall(SYS_capset, &hdr, data) < 0)
		abort();
	ready = true;
}

static bool scratch_is_empty(void)
{
	DIR *d = opendir(scratch);
	struct dirent *de;
	bool empty = true;

	if (!d)
		abort();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "help");
}

/* Commands that read a FILE argument: it must be a name in the scratch dir. */
static bool takes_file(const char *cmd)
{
	return !strcmp(cmd, "graph") || !strcmp(cmd, "apply") || !strcmp(cmd, "destroy") ||
	       !strcmp(cmd, "status");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAX_ARGS + 2], *out = NULL, *err = NULL;
	size_t argc = 1, outlen = 0, errlen = 0, pos = 0;
	FILE *saved_out = stdout, *saved_err = stderr, *fout, *ferr;
	struct sigaction sa[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t mask;
	int ret;

	if (!ready)
		setup();
	if (size == 0 || size > 4096)
		return 0;
	buf = fuzz_strndup(data, size);
	argv[0] = "netnsctl";
	if ((uint8_t)buf[0] < n_commands()) {
		argv[argc++] = (char *)nn_commands[(uint8_t)buf[0]].name;
		pos = 1;
	}
	while (pos <= size && argc < MAX_ARGS + 1) {
		argv[argc++] = buf + pos;
		pos += strlen(buf + pos) + 1;
	}
	if (pos <= size) {
		free(buf);
		return 0;
	}
	argv[argc] = NULL;
	if (argc > 1) {
		/* The lease keeper is a daemon (it waits for a signal), not a parser. */
		if (!strcmp(argv[1], "lease-keeper")) {
			free(buf);
			return 0;
		}
		for (size_t i = 2; i < argc && takes_file(argv[1]); i++) {
			/* "-" is standard input, which may be a terminal. */
			if (strchr(argv[i], '/') || !strcmp(argv[i], "-")) {
				free(buf);
				return 0;
			}
		}
	}

	fout = open_memstream(&out, &outlen);
	ferr = open_memstream(&err, &errlen);
	if (!fout || !ferr)
		abort();
	sigprocmask(SIG_SETMASK, NULL, &mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], NULL, &sa[i]);
	stdout = fout;
	stderr = ferr;
	optind = 0;	/* getopt starts afresh */
	ret = netnsctl_cli_main((int)argc, argv);
	stdout = saved_out;
	stderr = saved_err;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa[i], NULL);
	fclose(fout);
	fclose(ferr);

	FUZZ_CHECK(ret == 0 || ret == 1 || ret == 2, "exit status %d; stderr \"%s\"", ret, err);
	if (ret == 0) {
		bool allowed = argc == 1 || is_help(argv[1]) || !strcmp(argv[1], "--version") ||
			       !strcmp(argv[1], "version") || !strcmp(argv[1], "list-clients");

		/* A command's --help, anywhere before "--" (exec's only first). */
		for (size_t i = 2; i < argc && strcmp(argv[i], "--"); i++) {
			allowed |= !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help");
			if (!strcmp(argv[1], "exec"))
				break;
		}

		FUZZ_CHECK(allowed, "\"%s\" succeeded without capabilities; stdout \"%s\"", argv[1], out);
		FUZZ_CHECK(errlen == 0, "success with stderr \"%s\"", err);
	} else {
		/* Notes on tc's readings of a unit (src/lib/util/units.c) may come
		 * first, one line each; then the one line of the failure. */
		const char *msg = err, *nl;
		size_t msglen = errlen;

		while (msglen > 16 && !strncmp(msg, "netnsctl: note: ", 16) &&
		       (nl = memchr(msg, '\n', msglen)) && nl < msg + msglen - 1) {
			msglen -= (size_t)(nl + 1 - msg);
			msg = nl + 1;
		}
		nl = memchr(msg, '\n', msglen);

		FUZZ_CHECK(msglen > 10 && !strncmp(msg, "netnsctl: ", 10),
			   "failure (%d) without \"netnsctl: ...\" on stderr: \"%s\"", ret, err);
		FUZZ_CHECK(nl == msg + msglen - 1, "failure (%d) with %s on stderr: \"%s\"", ret,
			   nl ? "more than one line" : "no whole line", err);
		/* every line printable, the notes' too (they name what was typed) */
		for (size_t i = 0; i + 1 < errlen; i++)
			FUZZ_CHECK(err[i] == '\n' ||
				   ((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] < 0x7f),
				   "byte 0x%02x at %zu of the message \"%s\"", (unsigned char)err[i], i,
				   err);
		FUZZ_CHECK(outlen == 0, "failure (%d) with stdout \"%s\"", ret, out);
	}
	FUZZ_CHECK(scratch_is_empty(), "\"%s\" created files in %s", argc > 1 ? argv[1] : "", scratch);
	free(out);
	free(err);
	free(buf);
	return 0;
}
