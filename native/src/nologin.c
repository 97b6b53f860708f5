/*
 * nologin - the shell of accounts nobody may log in to: says so on stdout
 * and exits 1. Static and without libc (see sys.h), so it runs in an image
 * that has nothing else.
 */
#include "sys.h"

static const char text[] = "This account is currently not available.\n";

int main(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	sys_write(1, text, sizeof text - 1);
	return 1;
}
