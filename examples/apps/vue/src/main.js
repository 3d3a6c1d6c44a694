import { createApp } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'

const routes = [{ path: '/', component: { template: '<h1>hello from vue</h1>' } }]
createApp({ template: '<router-view />' })
  .use(createRouter({ history: createWebHistory(), routes }))
  .mount('#app')
