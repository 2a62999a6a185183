/* fuzz_common.h - what the libFuzzer targets of tests/fuzz/ share.
 *
 * A scenario target fuzzes one file of a scenario folder.  Once per process
 * it builds the folder its line of tests/fuzz/targets.txt describes, under
 * $FUZZ_WORK (tools/fuzz.sh points it at the build tree, on disk), so that
 * everything but the fuzzed file is valid and the loader reaches it; then
 * every input is written to that file and the scenario is loaded and freed
 * through the public API only (scn_load/scn_free), so the targets survive
 * any reshuffle of the loader's sources.
 */
#ifndef PATROLSIM_FUZZ_COMMON_H
#define PATROLSIM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Creates a fresh work folder under $FUZZ_WORK (or "."), removed at exit;
 * exits with a message on failure.  Returns its path. */
const char *fz_workdir(void);
/* Path of `rel` inside the work folder (a static buffer). */
const char *fz_path(const char *rel);
/* Writes data[0..size) to `rel` inside the work folder, creating folders. */
void fz_write(const char *rel, const uint8_t *data, size_t size);
/* Builds the work folder of `target` from targets.txt (in $FUZZ_REPO or the
 * repository the target was built from); returns the fuzzed file ("s/..."). */
const char *fz_setup_target(const char *target);
/* Writes the input to `rel`, then loads and frees the scenario s/.  A
 * refused scenario must come with a message: an empty one aborts. */
void fz_load_with(const char *rel, const uint8_t *data, size_t size);

/* The whole of a scenario target. */
#define FUZZ_SCENARIO_TARGET(name)                                        \
    static const char *fz_file_;                                          \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                     \
    {                                                                     \
        (void)argc;                                                       \
        (void)argv;                                                       \
        fz_file_ = fz_setup_target(name);                                 \
        return 0;                                                         \
    }                                                                     \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)          \
    {                                                                     \
        fz_load_with(fz_file_, data, size);                               \
        return 0;                                                         \
    }

#endif
