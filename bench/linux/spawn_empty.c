/*
 * capos-linux-spawn-empty: the child of the spawn_to_exit rows (spawn.c),
 * the empty program — main returns 0, so the rows measure only creating
 * the process, glibc's start-up and the end.
 */
int main(void)
{
	return 0;
}
