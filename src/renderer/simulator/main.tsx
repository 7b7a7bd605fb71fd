document.getElementById('root')!.textContent = 'simulator';
