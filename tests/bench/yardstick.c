/* SPDX-License-Identifier: Apache-2.0 */
/* The yardstick of the benchmark: the physical limit of a wrapper, a static
 * program that does nothing but execv the runtime with argv unchanged.
 * Built by run.sh as gcc -O2 -static -DRUNTIME='"/path/to/runtime"'. */
#include <unistd.h>
int main(int c, char **v)
{
	(void)c;
	v[0] = RUNTIME;
	execv(RUNTIME, v);
	return 127;
}
