/**
 * Writes a set of rendered files into an output directory atomically (DESIGN §9: nothing
 * half-written on disk). Every file is rendered first (a renderer that fails touches no disk),
 * then written into a temporary directory next to the target; only when all of them are complete are they renamed into place (a rename
 * within one file system replaces a file whole). On any error, or on cancellation before the
 * renames, the temporary directory and any directory this call created are removed.
 */
import { mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CancelledError } from '../simulator/executor.ts';

export interface RenderedFile<T> {
  readonly name: string;
  readonly render: (input: T) => string | Promise<string>;
}

/** Renders `files` from `input` and writes them into `outDir` (created if missing); returns their paths. */
export async function writeFilesAtomically<T>(
  input: T,
  files: readonly RenderedFile<T>[],
  outDir: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const rendered: { name: string; text: string }[] = [];
  for (const file of files) rendered.push({ name: file.name, text: await file.render(input) });
  const target = resolve(outDir);
  const parent = dirname(target);
  // The first directory mkdir created, if any: everything below it is ours to remove on failure.
  const createdParent = await mkdir(parent, { recursive: true });
  let temp: string | undefined;
  let createdTarget = false;
  try {
    temp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
    for (const file of rendered) await writeFile(join(temp, file.name), file.text);
    if (signal?.aborted) throw new CancelledError();
    createdTarget = (await mkdir(target, { recursive: true })) !== undefined;
    const written: string[] = [];
    for (const file of rendered) {
      await rename(join(temp, file.name), join(target, file.name));
      written.push(join(target, file.name));
    }
    await rmdir(temp);
    return written;
  } catch (error) {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
    if (createdTarget) await rmdir(target).catch(() => {});
    if (createdParent !== undefined) await rm(createdParent, { recursive: true, force: true });
    throw error;
  }
}
