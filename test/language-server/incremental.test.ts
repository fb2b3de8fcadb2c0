// The document store derives each version's analysis from the previous version's (see
// `reanalyze`): typing in a large scenario, keystroke by keystroke, with diagnostics published
// after some of them, must give exactly the diagnostics a fresh analysis gives.

import { describe, expect, it } from 'vitest';
import { analyze, generateLargeScenario, isIncrementalAnalysis } from '../../language/core/index';
import { documentDiagnostics } from '../../language/server/diagnostics';
import { DocumentStore } from '../../language/server/documents';
import { random } from '../language/incremental-helpers';
import { toLspDiagnostic } from '../../language/server/diagnostics';

const uri = 'file:///work/large.kscn';

describe('incremental analysis in the document store', () => {
  it('types a statement into a process of a 2,000-line scenario; every analysed version equals a fresh analysis', () => {
    const documents = new DocumentStore();
    const text = generateLargeScenario(2000);
    documents.open(uri, 1, text);
    expect(documents.get(uri)!.analysis.diagnostics).toEqual([]);
    const lines = text.split('\n');
    const line = lines.findIndex((l, i) => i > 1000 && l.includes('let x = msg_data(msg, 0)'));
    const typed = '    let y = ipc_call(conn, data: [x, 2])\n';
    const next = random(7);
    let version = 1;
    let incremental = 0;
    let analysed = 0;
    for (let i = 0; i < typed.length; i++) {
      version++;
      const document = documents.change(uri, version, [{ range: { start: { line: line + 1, character: i }, end: { line: line + 1, character: i } }, text: typed[i]! }])!;
      // Diagnostics are computed for some versions only, as the coalescing scheduler does.
      if (next() < 0.5 && i !== typed.length - 1) continue;
      analysed++;
      const diagnostics = documentDiagnostics(document);
      if (isIncrementalAnalysis(document.analysis)) incremental++;
      const fresh = analyze(document.text, document.fileName);
      expect(diagnostics).toEqual(fresh.diagnostics.map((d) => toLspDiagnostic(d, uri)));
    }
    expect(incremental).toBe(analysed);
    // The finished statement refers to a connection the routine does not have.
    expect(documentDiagnostics(documents.get(uri)!).map((d) => d.message)).toContain('undefined name \'conn\'');
  });

  it('gives a version that was never analysed a fresh analysis when a later one used its base', () => {
    const documents = new DocumentStore();
    const text = generateLargeScenario(300);
    const first = documents.open(uri, 1, text);
    expect(first.analysis.diagnostics).toEqual([]);
    const second = documents.change(uri, 2, [{ range: { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } }, text: '# a\n' }])!;
    expect(isIncrementalAnalysis(second.analysis)).toBe(true);
    // The first version handed its analysis over; asked again, it analyses afresh.
    expect(isIncrementalAnalysis(first.analysis)).toBe(false);
    expect(first.analysis.text).toBe(text);
    expect(first.analysis.diagnostics).toEqual(analyze(text, first.fileName).diagnostics);
  });
});
