/*
 * What api.c shares with the other files of the API process: the
 * configuration it runs with.
 */
#ifndef BOMD_API_INTERNAL_H
#define BOMD_API_INTERNAL_H

struct config;

/* The process's configuration, set once by api_main() before serving. */
extern const struct config *api_cfg;

#endif
