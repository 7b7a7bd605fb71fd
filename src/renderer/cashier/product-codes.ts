import { useEffect, useRef } from 'react';

/**
 * A product barcode read by a scanner or typed at the member lookup goes to
 * the open manual sale, which adds the article; with none open, the cashier
 * is told it is not a card. Sent on window: the sale sits deep in the panel.
 */
const PRODUCT_CODE_EVENT = 'fidele:product-code';

/** True when an open manual sale took the code. */
export function offerProductCode(code: string): boolean {
  return !window.dispatchEvent(new CustomEvent<string>(PRODUCT_CODE_EVENT, { detail: code, cancelable: true }));
}

/** The manual sale's side: takes every product code while mounted. */
export function useProductCodes(onCode: (code: string) => void): void {
  const latest = useRef(onCode);
  useEffect(() => {
    latest.current = onCode;
  }, [onCode]);
  useEffect(() => {
    const take = (event: Event) => {
      event.preventDefault();
      latest.current((event as CustomEvent<string>).detail);
    };
    window.addEventListener(PRODUCT_CODE_EVENT, take);
    return () => window.removeEventListener(PRODUCT_CODE_EVENT, take);
  }, []);
}
