document.getElementById('root')!.textContent = 'cashier';
