/*
 * The process: getpid, _exit, kill.
 *
 * getpid is the pid the kernel wrote into the bootstrap page.
 *
 * _exit(code) ends the whole process with code (all of the int reaches
 * the parent's ProcessHandle.wait, not only the low 8 bits): see
 * capos_process_exit in capos/rt.h for how other threads stop.  exit()
 * is newlib's: atexit handlers and destructors (.fini_array, registered
 * by start-up), then every stdio stream is flushed and closed, then
 * _exit.
 *
 * kill: a process has authority only over itself.  kill(getpid(), 0)
 * is 0; kill(getpid(), sig) ends the process at once without flushing
 * stdio, with exit code 128 + sig, the way a shell reports a death by
 * signal (raise() and abort() come here once no handler of newlib's
 * signal emulation catches the signal; abort gives 134).  Any other pid
 * is EPERM: other processes are reached through their ProcessHandle
 * (ProcessHandle.kill), which kill() does not hold.  Bad signals: EINVAL.
 */
#include <signal.h>
#include <unistd.h>
#include <capos/rt.h>
#include "libc_internal.h"

pid_t getpid(void)
{
	return (pid_t)capos_bootstrap()->pid;
}

void _exit(int code)
{
	capos_process_exit(code);
}

int kill(pid_t pid, int sig)
{
	if (sig < 0 || sig >= NSIG)
		return libc_fail(EINVAL);
	if (pid != getpid() && pid != 0)
		return libc_fail(EPERM);
	if (sig == 0)
		return 0;
	capos_process_exit(128 + sig);
}
