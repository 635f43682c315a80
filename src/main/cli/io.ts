/** What every CLI command writes to; tests pass collectors, the real CLI passes process streams. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  signal?: AbortSignal;
}

export const processIo = (signal?: AbortSignal): CliIo => ({
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  signal,
});
