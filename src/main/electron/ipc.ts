import { ipcMain } from 'electron';
import { bindIpc, type IpcDeps } from './ipc-adapter';

/**
 * The only file that touches the raw ipcMain: everything reaches the core
 * through the validated adapter (sender, then role and input in dispatch).
 */
export function bindElectronIpc(deps: IpcDeps): () => void {
  return bindIpc(ipcMain, deps);
}
