/*
 * plinth-init - a minimal PID 1 for containers, in the spirit of tini and
 * Yelp's dumb-init, without libc (see sys.h).
 *
 *   plinth-init [-g] [-t SECONDS] [-e CODE]... [-v] [-h] [--help] [--version]
 *               [--] PROGRAM [ARGS...]
 *
 * It runs PROGRAM as its only direct child, in a new session and process
 * group, forwards to it every signal it receives, reaps every process that
 * ends up as its child (orphans re-parented to PID 1, or to us as a child
 * subreaper when we are not PID 1) and exits when PROGRAM does: at once, or
 * with -g or -t after stopping what is left of PROGRAM's process group (the
 * helpers it started): SIGTERM, up to SECONDS (-g: 5) for them to end, then
 * SIGKILL.
 *
 * Exit status, in this order:
 *   - PROGRAM's exit code, or 128+N when a signal N killed it (shell style);
 *   - then the -e remapping: a final code named by -e becomes 0, so "-e 143"
 *     turns both "exit 143" and a death by SIGTERM into 0 (a JVM exits 143
 *     after a graceful SIGTERM);
 *   - 127 when PROGRAM is not found (or its ELF or #! interpreter is
 *     missing), 126 when it is found but cannot be run (the child says why
 *     on stderr; -e applies to these too);
 *   - 2 on a usage error, 125 when init itself fails (cannot block signals,
 *     create the process or wait for signals).
 *
 * Signals: every signal is blocked and taken with rt_sigtimedwait. SIGCHLD
 * means "reap"; anything else is sent on to the child, or to its whole
 * process group with -g, except a crash signal the kernel raised (see
 * block_signals). The child gets back the original signal mask and SIGCHLD
 * disposition before execve; all other dispositions are inherited as init got
 * them (init installs no handler).
 *
 * Every function returns a status; only the child after a failed execve and
 * main's single return leave the program.
 */
#include "sys.h"

#define VERSION "0.2.0"
#define NAME "plinth-init: "
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PATH_MAX 4096
#define NAME_MAX 255

/* Exit codes of init itself (the child's own pass through). */
#define EXIT_USAGE 2
#define EXIT_INIT_FAILED 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

/* The group stop: default grace time with -g, the longest -t, and how long
 * one wait for signals lasts while it runs (see supervise). */
#define DEFAULT_GRACE 5
#define MAX_GRACE 3600
#define NS 1000000000L
#define SLICE (100 * 1000000L)

/* The signals a fault of the program itself raises. */
#define CRASH_SIGNALS (SIGBIT(SIGFPE) | SIGBIT(SIGILL) | SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | \
		       SIGBIT(SIGABRT) | SIGBIT(SIGTRAP) | SIGBIT(SIGSYS))

/* Results of parse_args. */
#define ARGS_OK 0
#define ARGS_HELP 1
#define ARGS_BAD 2
#define ARGS_VERSION 3

static const char usage_text[] =
	"usage: plinth-init [-g] [-t SECONDS] [-e CODE]... [-v] [--] PROGRAM [ARGS...]\n"
	"Runs PROGRAM, forwards signals to it, reaps zombies, exits with its code.\n"
	" -g          forward signals to PROGRAM's process group; implies -t 5\n"
	" -t SECONDS  when PROGRAM ends: SIGTERM its group, SIGKILL after SECONDS\n"
	" -e CODE     exit 0 instead of CODE (0-255); repeatable\n"
	" -v          log signals and reaped processes on stderr\n"
	" --version   print the version; -h, --help: this text\n";

static const char version_text[] = "plinth-init " VERSION "\n";

struct init {
	char **argv;                  /* PROGRAM and its arguments */
	char **envp;
	int group;                    /* -g */
	int verbose;                  /* -v */
	long grace;                   /* -t: seconds; -1: no group stop */
	unsigned char remap[32];      /* -e: bit N set = exit code N becomes 0 */
	unsigned long orig_mask;      /* the signal mask we started with */
	struct ksigaction orig_chld;  /* the SIGCHLD disposition we started with */
	unsigned long wait_set;       /* the signals we block and wait for */
	long child;
	int child_done;               /* the main child is reaped; its group is stopping */
	int termed;                   /* its group already got a SIGTERM from us */
	long deadline;                /* CLOCK_MONOTONIC ns: then the group gets SIGKILL */
};

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/*
 * Writes "plinth-init: " a b c d e "\n" to stderr in one write (a null part
 * is left out); returns write's result.
 */
static long say(const char *a, const char *b, const char *c, const char *d, const char *e)
{
	const char *parts[7] = {NAME, a, b, c, d, e, "\n"};
	char buf[512];
	size_t n = 0;
	for (int i = 0; i < 7; i++)
		for (const char *s = parts[i]; s && *s && n < sizeof buf - 1; s++)
			buf[n++] = *s;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n'; /* truncated: still one line */
	return sys_write(2, buf, n);
}

/* Writes V >= 0 in decimal at the end of buf; returns where it starts. */
static char *num(long v, char buf[24])
{
	char *p = buf + 23;
	*p = 0;
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	return p;
}

/* Each: an errno byte, then its text. A table, not a switch: no jump table. */
static const char error_texts[] =
	"\002" "not found\0" "\024" "not found\0" "\015" "permission denied\0"
	"\010" "exec format error\0" "\025" "is a directory\0" "\032" "text file busy\0"
	"\044" "name too long\0" "\050" "too many symbolic links\0"
	"\007" "argument list too long\0" "\014" "out of memory\0";

/* What execve's errno err means, or "error N"; in buf. */
static const char *error_text(long err, char buf[32])
{
	for (const char *s = error_texts; *s; s += str_len(s) + 1)
		if (*s++ == err)
			return s;
	char *p = num(err, buf + 8) - 6;
	memcpy(p, "error ", 6);
	return p;
}

/* Parses a decimal number from 0 to max; returns 0 on success. */
static int parse_num(const char *s, int max, int *out)
{
	int v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (*s - '0')) > max)
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * getopt-style: options may be grouped (-ge143, -g -e 143); option parsing
 * stops at "--" or at the first argument not starting with '-' (a lone "-" is
 * a program name). The long options are --help and --version.
 */
static int parse_args(int argc, char **argv, struct init *in)
{
	int i = 1;
	in->grace = -1;
	for (; i < argc; i++) {
		char *a = argv[i];
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] == '-') {
			if (!a[2]) {
				i++;
				break;
			}
			if (str_eq(a, "--help"))
				return ARGS_HELP;
			if (str_eq(a, "--version"))
				return ARGS_VERSION;
			say("unknown option ", a, 0, 0, 0);
			return ARGS_BAD;
		}
		for (char *p = a + 1; *p; p++) {
			int n;
			char opt[32];
			if (*p == 'g') {
				in->group = 1;
			} else if (*p == 'v') {
				in->verbose = 1;
			} else if (*p == 'h') {
				return ARGS_HELP;
			} else if (*p == 'e' || *p == 't') {
				const char *v = p[1] ? p + 1 : argv[++i];
				int max = *p == 'e' ? 255 : MAX_GRACE;
				if (parse_num(v, max, &n)) {
					opt[0] = '-', opt[1] = *p, opt[2] = 0;
					say(opt, " needs a number from 0 to ", num(max, opt + 8), ", not ",
					    v ? v : "nothing");
					return ARGS_BAD;
				}
				if (*p == 't')
					in->grace = n;
				else
					in->remap[n >> 3] |= (unsigned char)(1 << (n & 7));
				break;
			} else {
				say("unknown option ", a, 0, 0, 0);
				return ARGS_BAD;
			}
		}
	}
	if (i >= argc) {
		say("no program to run", 0, 0, 0, 0);
		return ARGS_BAD;
	}
	if (in->group && in->grace < 0)
		in->grace = DEFAULT_GRACE;
	in->argv = argv + i;
	return ARGS_OK;
}

/*
 * Blocks every signal, keeping the original mask for the child, and makes
 * sure SIGCHLD is not ignored (an inherited SIG_IGN would make the kernel reap
 * our children before we see their status). Returns 0 or -errno.
 *
 * The crash signals (CRASH_SIGNALS) are blocked too, so that one another
 * process sends (podman kill -s ABRT, for a thread or core dump of the app)
 * waits for rt_sigtimedwait and is forwarded like any other; tini leaves them
 * unblocked with no handler, and they are lost: PID 1 of a PID namespace
 * drops a signal it neither blocks nor handles. A fault of init itself is not
 * hidden by this: the kernel delivers a fault with force_sig_info_to_task(),
 * which, when the signal is blocked (or ignored), unblocks it, resets it to
 * SIG_DFL and clears SIGNAL_UNKILLABLE, so the default action kills init even
 * as PID 1, as if nothing were blocked (checked on Linux 6.18: a blocked
 * SIGSEGV from a null write kills, as PID 1 of a new namespace too). What
 * rt_sigtimedwait returns was therefore queued: si_code <= 0 (SI_USER,
 * SI_QUEUE, SI_TKILL, ...) is a process's kill, tkill or sigqueue and is
 * forwarded; si_code > 0 was raised by the kernel without being a fault of
 * init's (an early memory-error notice, BUS_MCEERR_AO) and is dropped, as
 * it concerns init, not the child (supervise).
 */
static long block_signals(struct init *in)
{
	const struct ksigaction dfl = {0, 0, 0, 0};
	in->wait_set = ~0UL; /* the kernel leaves out SIGKILL and SIGSTOP */
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
		while (sys_sigtimedwait(&hup_cont, 0, &now) > 0)
			;
	}
	return r;
}

/*
 * execve(path); when it fails with ENOENT although the file exists (its ELF
 * or #! interpreter is missing), copies path into found, if that is still
 * empty. Returns the errno.
 */
static long try_exec(const char *path, char **argv, char **envp, char found[PATH_MAX])
{
	long err = -sys_execve(path, argv, envp);
	if (err == ENOENT && !found[0] && sys_exists(path) == 0) {
		size_t n = str_len(path);
		if (n < PATH_MAX)
			memcpy(found, path, n + 1);
	}
	return err;
}

/* execvp without libc: returns the errno that made it fail (like musl). */
static long exec_program(char **argv, char **envp, char found[PATH_MAX])
{
	const char *file = argv[0];
	const char *path = DEFAULT_PATH;
	char buf[PATH_MAX];
	long err = ENOENT;
	int seen_eacces = 0;

	for (const char *p = file; *p; p++)
		if (*p == '/')
			return try_exec(file, argv, envp, found);
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
			err = try_exec(buf, argv, envp, found);
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

/* Loads from the file's bytes: unaligned, and allowed to alias them. */
typedef unsigned short __attribute__((may_alias, aligned(1))) u16_at;
typedef unsigned int __attribute__((may_alias, aligned(1))) u32_at;
typedef unsigned long __attribute__((may_alias, aligned(1))) u64_at;

/*
 * The file at path exists, but execve said ENOENT: what it needs is missing.
 * Reads its first 1 KiB: a 64-bit little-endian ELF file (x86_64, aarch64)
 * names its interpreter in a PT_INTERP program header (looked for among those
 * in that first KiB, where they are in practice), a script on its #! line.
 * Copies that name (at most 255 bytes) into name and returns 1 (ELF) or 2
 * (#!) when that file is indeed missing; 0 when it cannot tell.
 */
static int missing_interpreter(const char *path, char name[256])
{
	unsigned char h[1024];
	int kind = 0;
	long fd = sys_open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	long n = sys_pread((int)fd, h, sizeof h, 0);
	if (n >= 64 && *(u32_at *)h == 0x464c457f && *(u16_at *)(h + 4) == 0x0102) {
		/* ELF, ELFCLASS64, ELFDATA2LSB: e_phoff at 32, e_phnum at 56 */
		unsigned long off = *(u64_at *)(h + 32);
		unsigned count = *(u16_at *)(h + 56);
		for (unsigned i = 0; i < count && off < (unsigned long)n && n - off >= 56 && !kind; i++, off += 56) {
			/* Elf64_Phdr: p_type at 0, p_offset at 8, p_filesz at 32 */
			unsigned long len = *(u64_at *)(h + off + 32);
			if (*(u32_at *)(h + off) == 3 && len >= 2 && len <= 256 &&
			    sys_pread((int)fd, name, len, (long)*(u64_at *)(h + off + 8)) == (long)len && !name[len - 1])
				kind = 1; /* PT_INTERP: a NUL-terminated path */
		}
	} else if (n > 2 && h[0] == '#' && h[1] == '!') {
		long i = 2, j = 0;
		while (i < n && (h[i] == ' ' || h[i] == '\t'))
			i++;
		while (i < n && j < 255 && h[i] != ' ' && h[i] != '\t' && h[i] != '\n' && h[i])
			name[j++] = (char)h[i++];
		name[j] = 0;
		kind = j ? 2 : 0;
	}
	sys_close((int)fd);
	return kind && sys_exists(name) != 0 ? kind : 0;
}

/*
 * Says on stderr why PROGRAM could not be run (err from exec_program, found
 * as it set it); returns the exit code for that, 127 or 126.
 */
static int exec_failed(const char *prog, long err, const char *found)
{
	char buf[256];
	if (err == ENOENT && found[0]) {
		int kind = missing_interpreter(found, buf);
		if (kind)
			say("cannot run ", prog, kind == 1 ? ": its ELF interpreter " : ": its #! interpreter ",
			    buf, " is missing");
		else
			say("cannot run ", prog, ": the file exists, but its ELF interpreter (or a #! interpreter)",
			    " is missing", 0);
	} else {
		say("cannot run ", prog, ": ", error_text(err, buf), 0);
	}
	return err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
}

/*
 * Starts PROGRAM as our child in its own session; returns 0 or -errno. The
 * child never returns: it execs PROGRAM or exits 127/126.
 */
static long spawn(struct init *in)
{
	long pid = sys_fork();
	if (pid == 0) {
		char found[PATH_MAX];
		found[0] = 0;
		sys_setsid();
		sys_ioctl(0, TIOCSCTTY, 0); /* best effort: fails when fd 0 is no tty */
		sys_sigaction(SIGCHLD, &in->orig_chld, 0);
		sys_sigprocmask(SIG_SETMASK, &in->orig_mask, 0);
		long err = exec_program(in->argv, in->envp, found);
		sys_exit(exec_failed(in->argv[0], err, found));
	}
	if (pid < 0)
		return pid;
	in->child = pid;
	if (in->verbose) {
		char n[24];
		say("running ", in->argv[0], " as ", num(pid, n), 0);
	}
	return 0;
}

/*
 * Reaps every child that has ended (waitpid(-1, WNOHANG) until nothing is
 * left), with -v saying so. Returns 1 when the main child was among them, its
 * wait status in *status; 0 otherwise.
 */
static int reap(const struct init *in, int *status)
{
	int done = 0;
	for (;;) {
		int st;
		char a[24], b[24];
		long pid = sys_wait4(-1, &st, WNOHANG);
		if (pid == -EINTR)
			continue;
		if (pid <= 0) /* 0: the rest still run; -ECHILD: no child left */
			return done;
		if (in->verbose)
			say("reaped ", num(pid, a), st & 0x7f ? ": killed by signal " : ": exit ",
			    num(st & 0x7f ? st & 0x7f : (st >> 8) & 0xff, b), 0);
		if (pid == in->child && !in->child_done) { /* later: a reused pid */
			*status = st;
			done = 1;
		}
	}
}

/*
 * kill(target, sig), a negative target being a process group; with -v says
 * "VERB signal S to [group] N" when it worked (signal numbers, the same on
 * x86_64 and aarch64, as dumb-init logs them). Returns kill's result.
 */
static long send(const struct init *in, long target, int sig, const char *verb)
{
	long r = sys_kill(target, sig);
	if (r == 0 && in->verbose) {
		char a[24], b[24];
		say(verb, num(sig, a), target < 0 ? " to group " : " to ",
		    num(target < 0 ? -target : target, b), 0);
	}
	return r;
}

/*
 * Sends SIG on to the child; with -g, and once the child has ended, to its
 * process group. Returns kill's result: -ESRCH is no error, the child may have
 * ended and not been reaped yet, and its group may be empty.
 */
static long forward(struct init *in, int sig)
{
	long r = -ESRCH;
	/* Until the child has called setsid its group does not exist: then the
	 * child is alone and gets the signal itself. */
	if (in->group || in->child_done) {
		r = send(in, -in->child, sig, "forwarded signal ");
		if (r == 0 && sig == SIGTERM)
			in->termed = 1;
	}
	if (r == -ESRCH && !in->child_done)
		r = send(in, in->child, sig, "forwarded signal ");
	return r;
}

static long now_ns(void)
{
	struct ktimespec t = {0, 0};
	sys_clock_gettime(CLOCK_MONOTONIC, &t);
	return t.sec * NS + t.nsec;
}

/*
 * Waits for signals until the main child has ended, its wait status in
 * *status, and then, with -g or -t, stops the rest of its process group (the
 * child's pid is the group's id, setsid made it so): SIGTERM, unless the
 * group already got one from us, and SIGCONT; reaping and forwarding to the
 * group until it is empty or the grace time is over; then SIGKILL. A member of the group
 * need not be our child (its parent gets its SIGCHLD), so the wait for
 * signals lasts at most SLICE before the group is looked at again. Returns 0,
 * or -errno when init cannot wait for signals while the child runs.
 */
static long supervise(struct init *in, int *status)
{
	for (;;) {
		struct ktimespec slice = {0, SLICE};
		struct ksiginfo info;
		if (in->child_done) {
			long left = in->deadline - now_ns();
			if (in->grace < 0 || sys_kill(-in->child, 0) != 0)
				return 0; /* no group stop, or nobody is left (ESRCH) */
			if (left <= 0) {
				(void)send(in, -in->child, SIGKILL, "sent signal ");
				return 0;
			}
			if (left < SLICE)
				slice.nsec = left;
		}
		long sig = sys_sigtimedwait(&in->wait_set, &info, in->child_done ? &slice : 0);
		if (sig == -EINTR || sig == -EAGAIN)
			continue;
		if (sig < 0)
			return in->child_done ? 0 : sig;
		if (sig == SIGCHLD) {
			if (reap(in, status)) {
				in->child_done = 1;
				in->deadline = now_ns() + in->grace * NS;
				if (in->grace > 0 && !in->termed)
					(void)send(in, -in->child, SIGTERM, "sent signal ");
				if (in->grace > 0) /* a stopped helper wakes up to its SIGTERM (systemd does this too) */
					(void)send(in, -in->child, SIGCONT, "sent signal ");
			}
		} else if ((SIGBIT(sig) & CRASH_SIGNALS) && info.code > 0) {
			char a[24]; /* raised by the kernel, not a fault of ours: see block_signals */
			if (in->verbose)
				say("ignored signal ", num(sig, a), " from the kernel", 0, 0);
		} else {
			(void)forward(in, (int)sig); /* nothing to do about a failure */
		}
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
	} else if (args == ARGS_VERSION) {
		sys_write(1, version_text, sizeof version_text - 1);
		code = 0;
	} else if (args != ARGS_OK) {
		sys_write(2, usage_text, sizeof usage_text - 1);
		code = EXIT_USAGE;
	} else if (block_signals(&in)) {
		say("cannot block signals", 0, 0, 0, 0);
	} else {
		/* As PID 1 the kernel gives us every orphan; otherwise ask for it. */
		if (sys_getpid() != 1 && sys_prctl(PR_SET_CHILD_SUBREAPER, 1))
			say("warning: cannot become a child subreaper; orphans will not be reaped", 0, 0, 0, 0);
		(void)release_tty(); /* best effort: usually there is no terminal */
		if (spawn(&in))
			say("cannot start ", in.argv[0], ": cannot create a process", 0, 0);
		else if (supervise(&in, &status))
			say("cannot wait for signals", 0, 0, 0, 0);
		else
			code = exit_code(&in, status);
	}
	return code;
}
