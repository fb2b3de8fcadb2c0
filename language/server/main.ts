// The language server process: bundled to dist/language-server.js, started by the extension over
// IPC (or with --stdio by other editors and the tests). Everything else lives in ./server.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLanguageServer } from './server';

startLanguageServer(createConnection(ProposedFeatures.all));
