/*
 * Process titles for ps and systemctl status ("bomd: worker 3").
 */
#ifndef BOMD_PROCTITLE_H
#define BOMD_PROCTITLE_H

/* Remembers the argv area; call once from main(). */
void	proctitle_init(int argc, char **argv);
/* Sets the title shown by ps and the kernel's comm name. */
void	proctitle_set(const char *title);

#endif
