// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fuzz targets without libFuzzer: feed every file of the corpus (and of
 * any further directories, such as the saved crashes) to
 * LLVMFuzzerTestOneInput once, in name order, so that the normal build
 * replays them as a regression test.  A broken invariant aborts.
 *
 * Usage: fuzz_TARGET_replay CORPUS_DIR [DIR_OR_FILE...]
 * CORPUS_DIR must hold at least one file; later paths may be missing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Returns the number of inputs replayed, or -1 on an I/O error. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long n;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
		fclose(f);
		return -1;
	}
	/* Exactly N bytes (malloc(0) may be NULL): ASan sees reads past the input. */
	data = malloc(n ? (size_t)n : 1);
	if (!data || (n && fread(data, 1, (size_t)n, f) != (size_t)n)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	printf("replay: %s (%ld bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, (size_t)n);
	free(data);
	return 1;
}

static int skip_entry(const struct dirent *d)
{
	/* Dot files: .gitkeep and the like. */
	return d->d_name[0] != '.';
}

static int replay_path(const char *path, int required)
{
	struct dirent **names;
	struct stat st;
	int n, i, done = 0, ret = 0;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT && !required)
			return 0;
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);

	n = scandir(path, &names, skip_entry, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: cannot list %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char file[4096];
		int r;

		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			r = replay_file(file);
			if (r < 0)
				ret = -1;
			else
				done += r;
		}
		free(names[i]);
	}
	free(names);
	return ret < 0 ? ret : done;
}

int main(int argc, char **argv)
{
	int i, n, total = 0, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [DIR_OR_FILE...]\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		n = replay_path(argv[i], i == 1);
		if (n < 0) {
			failed = 1;
		} else if (i == 1 && n == 0) {
			fprintf(stderr, "replay: no inputs in %s\n", argv[i]);
			failed = 1;
		} else {
			total += n;
		}
	}
	printf("replay: %d inputs, %s\n", total, failed ? "with errors" : "all passed");
	return failed;
}
