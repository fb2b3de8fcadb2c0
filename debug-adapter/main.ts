// The debug adapter process: DAP over stdin/stdout (or `--server=PORT`).

import { DebugSession } from '@vscode/debugadapter';
import { KscnDebugSession } from './session';

DebugSession.run(KscnDebugSession);
