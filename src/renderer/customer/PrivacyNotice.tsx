import { useEffect, useRef } from 'react';
import { useApp } from '../common/app-context';
import { QrCode } from '../common/QrCode';

/**
 * The privacy notice, in a modal over the form: a kiosk has no address bar,
 * so the full notice's address is shown (and as a QR for the customer's
 * phone) rather than opened.
 */
export function PrivacyNotice({ url, onClose }: { url: string; onClose(): void }) {
  const { t } = useApp();
  const dialog = useRef<HTMLDialogElement>(null);

  // Modal, so focus stays inside and Escape closes it; unmounting takes it off the top layer.
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  return (
    <dialog ref={dialog} className="privacy" aria-labelledby="privacy-title" onClose={onClose} onCancel={onClose}>
      <h2 id="privacy-title">{t('customer.privacy.title')}</h2>
      <p>{t('customer.privacy.body1')}</p>
      <p>{t('customer.privacy.body2')}</p>
      <div className="privacy-more">
        <div>
          <p>{t('customer.privacy.more')}</p>
          <p className="privacy-url">{url}</p>
        </div>
        <QrCode className="privacy-qr" value={url} label={t('customer.privacy.qr_label')} />
      </div>
      <button type="button" className="primary" onClick={onClose} autoFocus>
        {t('customer.privacy.close')}
      </button>
    </dialog>
  );
}
