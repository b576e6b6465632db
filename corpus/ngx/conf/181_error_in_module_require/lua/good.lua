return { value = 'good module' }
