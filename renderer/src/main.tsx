import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { adoptApplianceFromUrl } from './target';
// In this order: it is the cascade's (a later rule wins over an earlier one of the same weight).
import './styles/base.css';
import './styles/shell.css';
import './styles/dashboard.css';
import './styles/logs.css';

adoptApplianceFromUrl();
const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element.');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
