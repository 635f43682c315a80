import { useEffect, useState } from 'react';
import type { AppInfoData } from '../../../shared/types';
import { api } from '../api';

let cached: Promise<AppInfoData> | null = null;

/** The app's version, shell and where its bundled demo template is; asked once. */
export function useAppInfo(): AppInfoData | null {
  const [info, setInfo] = useState<AppInfoData | null>(null);
  useEffect(() => {
    cached ??= api['app:info']({});
    void cached.then(setInfo, () => undefined);
  }, []);
  return info;
}
