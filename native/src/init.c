/*
 * plinth-init - a minimal PID 1 for containers, in the spirit of tini and
 * Yelp's dumb-init, without libc (see sys.h).
 *
 *   plinth-init [-g] [-e CODE]... [-h] [--] PROGRAM [ARGS...]
 *
 * It runs PROGRAM as its only direct child, in a new session and process
 * group, forwards to it every signal it receives, reaps every process that
 * ends up as its child (orphans re-parented to PID 1, or to us as a child
 * subreaper when we are not PID 1) and exits when PROGRAM does.
 *
 * Exit status, in this order:
 *   - PROGRAM's exit code, or 128+N when a signal N killed it (shell style);
 *   - then the -e remapping: a final code named by -e becomes 0, so "-e 143"
 *     turns both "exit 143" and a death by SIGTERM into 0 (a JVM exits 143
 *     after a graceful SIGTERM);
 *   - 127 when PROGRAM is not found, 126 when it is found but cannot be run
 *     (the child says why on stderr; -e applies to these too);
 *   - 2 on a usage error, 125 when init itself fails (cannot block signals,
 *     create the process or wait for signals).
 *
 * Signals: every catchable signal is blocked, except the synchronous ones
 * (SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS), and taken with
 * rt_sigtimedwait. SIGCHLD means "reap"; anything else is sent on to the
 * child, or to its whole process group with -g. The child gets back the
 * original signal mask and SIGCHLD disposition before execve; all other
 * dispositions are inherited as init got them (init installs no handler).
 *
 * Every function returns a status; only the child after a failed execve and
 * main's single return leave the program.
 */
#include "sys.h"

#define NAME "plinth-init: "
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PATH_MAX 4096
#define NAME_MAX 255

/* Exit codes of init itself (the child's own pass through). */
#define EXIT_USAGE 2
#define EXIT_INIT_FAILED 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

/* Results of parse_args. */
#define ARGS_OK 0
#define ARGS_HELP 1
#define ARGS_BAD 2

static const char usage_text[] =
	"usage: plinth-init [-g] [-e CODE]... [-h] [--] PROGRAM [ARGS...]\n"
	"Runs PROGRAM, forwards signals to it, reaps zombies, and exits with\n"
	"PROGRAM's exit code (128+N if signal N killed it).\n"
	"  -g       forward signals to PROGRAM's whole process group\n"
	"  -e CODE  exit 0 instead of CODE (0-255); repeatable\n"
	"  -h       show this help\n";

struct init {
	char **argv;                  /* PROGRAM and its arguments */
	char **envp;
	int group;                    /* -g */
	unsigned char remap[32];      /* -e: bit N set = exit code N becomes 0 */
	unsigned long orig_mask;      /* the signal mask we started with */
	struct ksigaction orig_chld;  /* the SIGCHLD disposition we started with */
	unsigned long wait_set;       /* the signals we block and wait for */
	long child;
};

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* Writes "plinth-init: " a b c d "\n" to stderr in one write; returns write's result. */
static long say(const char *a, const char *b, const char *c, const char *d)
{
	const char *parts[6] = {NAME, a, b, c, d, "\n"};
	char buf[512];
	size_t n = 0;
	for (int i = 0; i < 6; i++)
		for (const char *s = parts[i]; *s && n < sizeof buf - 1; s++)
			buf[n++] = *s;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n'; /* truncated: still one line */
	return sys_write(2, buf, n);
}

static const char *error_text(long err, char num[32])
{
	switch (err) {
	case ENOENT:
	case ENOTDIR: return "not found";
	case EACCES: return "permission denied";
	case ENOEXEC: return "exec format error";
	case EISDIR: return "is a directory";
	case ETXTBSY: return "text file busy";
	case ENAMETOOLONG: return "name too long";
	case ELOOP: return "too many symbolic links";
	case E2BIG: return "argument list too long";
	case ENOMEM: return "out of memory";
	}
	char *p = num + 31;
	*p = 0;
	do
		*--p = (char)('0' + err % 10);
	while ((err /= 10) > 0);
	p -= 6;
	memcpy(p, "error ", 6);
	return p;
}

/* Parses "0".."255"; returns 0 on success. */
static int parse_code(const char *s, int *code)
{
	int v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (*s - '0')) > 255)
			return -1;
	}
	*code = v;
	return 0;
}

/*
 * getopt-style: options may be grouped (-ge143, -g -e 143); option parsing
 * stops at "--" or at the first argument not starting with '-' (a lone "-" is
 * a program name).
 */
static int parse_args(int argc, char **argv, struct init *in)
{
	int i = 1;
	for (; i < argc; i++) {
		char *a = argv[i];
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] == '-' && !a[2]) {
			i++;
			break;
		}
		for (char *p = a + 1; *p; p++) {
			int code;
			if (*p == 'g') {
				in->group = 1;
			} else if (*p == 'h') {
				return ARGS_HELP;
			} else if (*p == 'e') {
				const char *v = p[1] ? p + 1 : argv[++i];
				if (parse_code(v, &code)) {
					say("-e needs an exit code from 0 to 255, not ", v ? v : "nothing", "", "");
					return ARGS_BAD;
				}
				in->remap[code >> 3] |= (unsigned char)(1 << (code & 7));
				break;
			} else {
				say("unknown option ", a, "", "");
				return ARGS_BAD;
			}
		}
	}
	if (i >= argc) {
		say("no program to run", "", "", "");
		return ARGS_BAD;
	}
	in->argv = argv + i;
	return ARGS_OK;
}

/*
 * Blocks every catchable signal but the synchronous ones, keeping the
 * original mask for the child, and makes sure SIGCHLD is not ignored (an
 * inherited SIG_IGN would make the kernel reap our children before we see
 * their status). Returns 0 or -errno.
 */
static long block_signals(struct init *in)
{
	const struct ksigaction dfl = {0, 0, 0, 0};
	in->wait_set = ~(SIGBIT(SIGFPE) | SIGBIT(SIGILL) | SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) |
			 SIGBIT(SIGABRT) | SIGBIT(SIGTRAP) | SIGBIT(SIGSYS));
	long r = sys_sigprocmask(SIG_BLOCK, &in->wait_set, &in->orig_mask);
	if (r == 0)
		r = sys_sigaction(SIGCHLD, &dfl, &in->orig_chld);
	return r;
}

/*
 * When fd 0 is our controlling terminal, let go of it so that the child's new
 * session can take it (dumb-init does the same). If we were the session
 * leader, the kernel has just sent SIGHUP and SIGCONT to the terminal's
 * foreground group, that is, to us: drop them rather than forward them.
 * Returns 0, or -errno when there was no terminal to let go of.
 */
static long release_tty(void)
{
	long r = sys_ioctl(0, TIOCNOTTY, 0);
	if (r == 0 && sys_getsid(0) == sys_getpid()) {
		const unsigned long hup_cont = SIGBIT(SIGHUP) | SIGBIT(SIGCONT);
		const struct ktimespec now = {0, 0};
		while (sys_sigtimedwait(&hup_cont, &now) > 0)
			;
	}
	return r;
}

/* execvp without libc: returns the errno that made it fail (like musl). */
static long exec_program(char **argv, char **envp)
{
	const char *file = argv[0];
	const char *path = DEFAULT_PATH;
	char buf[PATH_MAX];
	long err = ENOENT;
	int seen_eacces = 0;

	for (const char *p = file; *p; p++)
		if (*p == '/')
			return -sys_execve(file, argv, envp);
	if (!*file)
		return ENOENT;
	size_t flen = str_len(file);
	if (flen > NAME_MAX)
		return ENAMETOOLONG;
	for (char **e = envp; *e; e++) {
		const char *s = *e;
		if (s[0] == 'P' && s[1] == 'A' && s[2] == 'T' && s[3] == 'H' && s[4] == '=') {
			path = s + 5;
			break;
		}
	}
	for (const char *p = path;; p++) {
		const char *z = p;
		while (*z && *z != ':')
			z++;
		size_t dlen = (size_t)(z - p);
		if (dlen + 1 + flen < sizeof buf) {
			/* an empty entry means the current directory */
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + (dlen > 0), file, flen + 1);
			err = -sys_execve(buf, argv, envp);
			if (err == EACCES)
				seen_eacces = 1;
			else if (err != ENOENT && err != ENOTDIR)
				return err;
		}
		if (!*z)
			break;
		p = z;
	}
	return seen_eacces ? EACCES : err;
}

/*
 * Starts PROGRAM as our child in its own session; returns 0 or -errno. The
 * child never returns: it execs PROGRAM or exits 127/126.
 */
static long spawn(struct init *in)
{
	long pid = sys_fork();
	if (pid == 0) {
		char num[32];
		sys_setsid();
		sys_ioctl(0, TIOCSCTTY, 0); /* best effort: fails when fd 0 is no tty */
		sys_sigaction(SIGCHLD, &in->orig_chld, 0);
		sys_sigprocmask(SIG_SETMASK, &in->orig_mask, 0);
		long err = exec_program(in->argv, in->envp);
		say("cannot run ", in->argv[0], ": ", error_text(err, num));
		sys_exit(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
	}
	if (pid < 0)
		return pid;
	in->child = pid;
	return 0;
}

/*
 * Reaps every child that has ended (waitpid(-1, WNOHANG) until nothing is
 * left). Returns 1 once the main child was among them, its wait status in
 * *status; 0 otherwise.
 */
static int reap(const struct init *in, int *status)
{
	int done = 0;
	for (;;) {
		int st;
		long pid = sys_wait4(-1, &st, WNOHANG);
		if (pid == -EINTR)
			continue;
		if (pid <= 0) /* 0: the rest still run; -ECHILD: no child left */
			return done;
		if (pid == in->child) {
			*status = st;
			done = 1;
		}
	}
}

/*
 * Sends SIG on to the child (-g: to its process group); returns kill's
 * result. -ESRCH is no error: the child may have ended and not been reaped yet.
 */
static long forward(const struct init *in, int sig)
{
	long r = -ESRCH;
	/* Until the child has called setsid its group does not exist: then the
	 * child is alone and gets the signal itself. */
	if (in->group)
		r = sys_kill(-in->child, sig);
	if (r == -ESRCH)
		r = sys_kill(in->child, sig);
	return r;
}

/* Waits for signals until the main child has ended; returns 0 or -errno. */
static long supervise(const struct init *in, int *status)
{
	for (;;) {
		long sig = sys_sigtimedwait(&in->wait_set, 0);
		if (sig == -EINTR || sig == -EAGAIN)
			continue;
		if (sig < 0)
			return sig;
		if (sig != SIGCHLD)
			(void)forward(in, (int)sig); /* nothing to do about a failure */
		else if (reap(in, status))
			return 0;
	}
}

static int exit_code(const struct init *in, int status)
{
	int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
	return (in->remap[code >> 3] >> (code & 7)) & 1 ? 0 : code;
}

int main(int argc, char **argv, char **envp)
{
	struct init in = {0};
	int code = EXIT_INIT_FAILED;
	int status = 0;
	int args = parse_args(argc, argv, &in);
	in.envp = envp;

	if (args == ARGS_HELP) {
		sys_write(1, usage_text, sizeof usage_text - 1);
		code = 0;
	} else if (args != ARGS_OK) {
		sys_write(2, usage_text, sizeof usage_text - 1);
		code = EXIT_USAGE;
	} else if (block_signals(&in)) {
		say("cannot block signals", "", "", "");
	} else {
		/* As PID 1 the kernel gives us every orphan; otherwise ask for it. */
		if (sys_getpid() != 1 && sys_prctl(PR_SET_CHILD_SUBREAPER, 1))
			say("warning: cannot become a child subreaper; orphans will not be reaped", "", "", "");
		(void)release_tty(); /* best effort: usually there is no terminal */
		if (spawn(&in))
			say("cannot start ", in.argv[0], ": cannot create a process", "");
		else if (supervise(&in, &status))
			say("cannot wait for signals", "", "", "");
		else
			code = exit_code(&in, status);
	}
	return code;
}
