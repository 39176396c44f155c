import type { Log, MetricsRecorder } from '../../src/engine/ports.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: Record<string, unknown>;
}

/** A Log that keeps what it is told, for assertions. */
export function recordingLog(): Log & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (message: string, ...extra: Record<string, unknown>[]) => {
    entries.push({ level, message, extra: Object.assign({}, ...extra) });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function recordingMetrics(): MetricsRecorder & { values: Map<string, number> } {
  const values = new Map<string, number>();
  return {
    values,
    addMetric(name, _unit, value) {
      values.set(name, (values.get(name) ?? 0) + value);
    },
  };
}
