import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { EventName, EventPayload, Locale } from '../../shared/contract';
import type { Params } from '../../shared/i18n/i18n';
import { translate } from '../../shared/i18n/messages';
import type { ApiClient } from '../api/client';

interface AppContextValue {
  api: ApiClient;
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: string, params?: Params): string;
}

const AppContext = createContext<AppContextValue | null>(null);

/** Gives every component the API client and the translator for the current language. */
export function AppProvider({ api, initialLocale, children }: { api: ApiClient; initialLocale: Locale; children: ReactNode }) {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const t = useCallback((key: string, params?: Params) => translate(locale, key, params), [locale]);
  const value = useMemo(() => ({ api, locale, setLocale, t }), [api, locale, t]);
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppProvider');
  return value;
}

/** Subscribes to one main-process event for the component's lifetime. */
export function useEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const { api } = useApp();
  useEffect(() => api.on(event, listener), [api, event, listener]);
}

/** True while the screen can reach the main process (always, under Electron). */
export function useConnected(): boolean {
  const { api } = useApp();
  const [connected, setConnected] = useState(true);
  useEffect(() => api.onConnection(setConnected), [api]);
  return connected;
}
