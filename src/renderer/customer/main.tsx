document.getElementById('root')!.textContent = 'customer';
