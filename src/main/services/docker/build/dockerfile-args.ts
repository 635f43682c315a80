import { DockerfileParser } from 'dockerfile-ast';
import type { DockerfileArgData, DockerfileStageData } from '../../../../shared/contract/builds';

export interface DockerfileOutline {
  args: DockerfileArgData[];
  stages: DockerfileStageData[];
}

/**
 * The ARGs a build form can set (with the defaults written in the Dockerfile) and the stages a
 * build can target. ARGs before the first FROM are global (stage null); `ARG A=1 B=2` gives two.
 */
export function outlineDockerfile(text: string): DockerfileOutline {
  const dockerfile = DockerfileParser.parse(text);
  const stages: DockerfileStageData[] = dockerfile.getFROMs().map((from, index) => ({
    index,
    name: from.getBuildStage(),
    from: from.getImage() ?? '',
    line: from.getRange().start.line + 1,
  }));
  const stageAt = (line: number): string | null => {
    let found: DockerfileStageData | null = null;
    for (const stage of stages) if (stage.line - 1 <= line) found = stage;
    return found ? (found.name ?? String(found.index)) : null;
  };
  const args: DockerfileArgData[] = [];
  for (const arg of dockerfile.getARGs()) {
    const line = arg.getRange().start.line;
    for (const property of arg.getProperties()) {
      const name = property.getName();
      if (!name) continue;
      const raw = property.getValue();
      args.push({
        name,
        defaultValue: raw === null ? null : unquote(raw),
        stage: stageAt(line),
        line: line + 1,
      });
    }
  }
  return { args, stages };
}

/**
 * A value as the builder sees it after its shell-word processing: quotes removed, backslash escapes
 * applied (`B="two words"` is `two words`). Variables are left as written: they are resolved at
 * build time with values the form cannot know.
 */
export function unquote(raw: string): string {
  let out = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else out += c;
    } else if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1] as string;
      // Inside double quotes a backslash only escapes what the shell would let it escape.
      if (quote === '"' && !['"', '\\', '$', '`'].includes(next)) out += c;
      out += next;
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else out += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else {
      out += c;
    }
  }
  return out;
}
