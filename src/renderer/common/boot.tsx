import { StrictMode, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import type { Role } from '../../shared/contract';
import { connect } from '../api/connect';
import { AppProvider } from './app-context';

/**
 * Starts a screen: connects to the main process for its role, reads the
 * terminal's language, and renders. A screen that cannot start says so on
 * the glass instead of staying blank.
 */
export async function boot(role: Role, Screen: ComponentType): Promise<void> {
  const container = document.getElementById('root');
  if (!container) throw new Error('no #root element');
  const root = createRoot(container);
  try {
    const api = connect(role);
    const info = await api.call('terminal.info', {});
    root.render(
      <StrictMode>
        <AppProvider api={api} initialLocale={info.locale}>
          <Screen />
        </AppProvider>
      </StrictMode>,
    );
  } catch (error) {
    container.textContent = `Fidèle : démarrage impossible (${error instanceof Error ? error.message : String(error)})`;
  }
}
