import '../common/base.css';
import './cashier.css';
import { boot } from '../common/boot';
import { CashierScreen } from './CashierScreen';

void boot('cashier', CashierScreen);
