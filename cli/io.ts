/** Where the CLI writes: injectable so tests can run `main` in-process and capture output. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTty: boolean;
  /**
   * Waits until everything written has reached its destination and returns what failed, if
   * anything: `main` turns a full disk into a clear error (exit 2); a closed pipe is not an error.
   */
  finish?(): Promise<OutputFailure | undefined>;
}

/** An output stream that could not be written to. */
export interface OutputFailure {
  readonly stream: 'stdout' | 'stderr';
  readonly code: string;
  readonly message: string;
}

/**
 * One of the process's output streams, guarded: the first error (EPIPE when the reader went away,
 * `wafersim compile --emit json | head -1`; ENOSPC on a full disk or `/dev/full`) is recorded
 * instead of crashing the process with an unhandled 'error' event, and later writes are dropped.
 */
export class GuardedStream {
  failure: OutputFailure | undefined;

  constructor(
    private readonly name: 'stdout' | 'stderr',
    private readonly stream: NodeJS.WritableStream & { destroyed?: boolean },
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => this.fail(error));
  }

  private fail(error: NodeJS.ErrnoException): void {
    this.failure ??= { stream: this.name, code: error.code ?? 'EIO', message: error.message };
  }

  write(text: string): void {
    if (this.failure || this.stream.destroyed) return;
    try {
      this.stream.write(text);
    } catch (error) {
      this.fail(error as NodeJS.ErrnoException);
    }
  }

  /** Resolves once earlier writes are flushed (or failed). */
  flush(): Promise<OutputFailure | undefined> {
    if (this.failure || this.stream.destroyed) return Promise.resolve(this.failure);
    return new Promise((resolve) => {
      this.stream.write('', (error?: Error | null) => {
        if (error) this.fail(error as NodeJS.ErrnoException);
        resolve(this.failure);
      });
    });
  }
}

let guarded: { stdout: GuardedStream; stderr: GuardedStream } | undefined;

/** The process's streams, guarded on first use (importing the CLI attaches nothing). */
function processStreams() {
  guarded ??= {
    stdout: new GuardedStream('stdout', process.stdout),
    stderr: new GuardedStream('stderr', process.stderr),
  };
  return guarded;
}

export const processIo: Io = {
  stdout: (text) => processStreams().stdout.write(text),
  stderr: (text) => processStreams().stderr.write(text),
  stderrIsTty: Boolean(process.stderr.isTTY),
  async finish() {
    const { stdout, stderr } = processStreams();
    return (await stdout.flush()) ?? (await stderr.flush());
  },
};

/** Whether a failure means only that the reader stopped reading (a closed pipe): not an error. */
export function readerWentAway(failure: OutputFailure): boolean {
  return failure.code === 'EPIPE' || failure.code === 'ERR_STREAM_DESTROYED';
}
