#!/usr/bin/env node
// The `kscn` command: runs the bundled CLI (built by `npm run build`, which `npm ci` runs).
require('../dist/cli.js');
