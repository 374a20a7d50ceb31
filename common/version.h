/*
 * The version of bomd, and the API generation of the original service it
 * answers as (GET / "version"). One place for both.
 */
#ifndef BOMD_VERSION_H
#define BOMD_VERSION_H

#define BOMD_VERSION		"0.1.0"	/* bomd, bomctl */
#define BOMD_API_COMPAT		"0.1.0"	/* the original's API we speak */

#endif
