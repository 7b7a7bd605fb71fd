import { useApp, useConnected } from './app-context';

export function ConnectionBanner() {
  const { t } = useApp();
  const connected = useConnected();
  if (connected) return null;
  return (
    <div className="connection-banner" role="alert">
      {t('connection.lost')}
    </div>
  );
}
