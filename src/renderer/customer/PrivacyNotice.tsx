import { useEffect, useRef } from 'react';
import { useApp } from '../common/app-context';
import { NoticeSections } from './privacy/NoticeSections';
import './privacy/privacy.css';

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
      {/* What is done, for how long, each right and how (issue 17 item 7): the text the till prints and HQ serves. */}
      <NoticeSections url={url} />
      <button type="button" className="primary" onClick={onClose} autoFocus>
        {t('customer.privacy.close')}
      </button>
    </dialog>
  );
}
