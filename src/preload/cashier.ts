import { contextBridge, ipcRenderer } from 'electron';
import { exposeApi } from './expose';

exposeApi('cashier', contextBridge, ipcRenderer);
