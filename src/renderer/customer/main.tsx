import '../common/base.css';
import './customer.css';
import { boot } from '../common/boot';
import { CustomerScreen } from './CustomerScreen';

void boot('customer', CustomerScreen);
